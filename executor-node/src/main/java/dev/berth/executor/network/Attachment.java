package dev.berth.executor.network;

import dev.berth.model.PortMapping;
import java.net.Inet4Address;
import java.util.List;

/**
 * A container's place on the bridge, decided before it starts: its address, the name of its veth's
 * host end (a port of the bridge {@code bridgeIndex}; the other end is its eth0), and the host ports
 * forwarded to it.
 */
public record Attachment(Inet4Address ip, int prefix, Inet4Address gateway, String hostVeth, int bridgeIndex, List<PortMapping> ports) {
    public Attachment {
        ports = List.copyOf(ports);
    }
}
