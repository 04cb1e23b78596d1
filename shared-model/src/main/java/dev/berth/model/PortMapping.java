package dev.berth.model;

/** A published port as placed: the node's {@code host} port forwards to the container's port {@code to}, over {@code protocol} (tcp or udp). */
public record PortMapping(String name, int host, int to, String protocol) {
    public PortMapping {
        protocol = protocol == null ? "tcp" : protocol; // allocations stored before UDP existed have none
    }

    public PortMapping(String name, int host, int to) {
        this(name, host, to, "tcp");
    }
}
