package dev.berth.executor.network;

import dev.berth.model.PortMapping;
import java.net.Inet4Address;
import java.util.List;

/**
 * A container's place on the bridge, decided before it starts: its address, the veth whose
 * {@code peerIndex} end becomes its eth0, and the host ports forwarded to it.
 */
public record Attachment(Inet4Address ip, int prefix, Inet4Address gateway, String hostVeth, int peerIndex, List<PortMapping> ports) {
    public Attachment {
        ports = List.copyOf(ports);
    }
}
