package dev.berth.model.spec;

import java.util.List;

public record NetworkSpec(NetworkMode mode, List<PortSpec> ports) {
    public static final NetworkSpec DEFAULT = new NetworkSpec(NetworkMode.BRIDGE, List.of());

    public NetworkSpec {
        ports = List.copyOf(ports);
    }
}
