package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A published port: host port {@code static} (or a dynamic one when null) forwards to container port
 * {@code to}, over {@code protocol} ({@code tcp}, the default, or {@code udp}). A host port number
 * is the node's whichever the protocol: one number is never published twice on a node.
 */
public record PortSpec(String name, int to,
                       @JsonProperty("static") @JsonInclude(JsonInclude.Include.NON_NULL) Integer staticPort,
                       String protocol) {
    public static final String TCP = "tcp", UDP = "udp";

    public PortSpec {
        protocol = protocol == null ? TCP : protocol; // specs stored before UDP existed have none
    }

    public PortSpec(String name, int to, Integer staticPort) {
        this(name, to, staticPort, TCP);
    }

    public boolean udp() {
        return UDP.equals(protocol);
    }

    public PortSpec withHost(int host) {
        return new PortSpec(name, to, host, protocol);
    }
}
