package dev.berth.model;

/** A published port as placed: the node's {@code host} port forwards to the container's port {@code to}. */
public record PortMapping(String name, int host, int to) {
}
