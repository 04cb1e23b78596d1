package dev.berth.scheduler.placement;

import dev.berth.model.AllocNetwork;
import dev.berth.model.PortMapping;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.PortSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses the host ports of a task placed on a node: its static ones as asked (the placement core
 * already made sure they are free there), a dynamic one for each other port from
 * {@link #DYNAMIC_FIRST}–{@link #DYNAMIC_LAST} — the lowest free there, so that two allocations on
 * one node never share a host port. Pure.
 */
public final class HostPorts {
    public static final int DYNAMIC_FIRST = 20000, DYNAMIC_LAST = 32000;

    private HostPorts() {
    }

    /** A task's placed network; {@code taken} (the node's ports in use) gains the ports chosen. */
    public static AllocNetwork choose(NetworkSpec network, Set<Integer> taken) {
        var mappings = new ArrayList<PortMapping>();
        for (PortSpec p : network.ports()) {
            int host = p.staticPort() != null ? p.staticPort() : free(taken);
            taken.add(host);
            mappings.add(new PortMapping(p.name(), host, p.to(), p.protocol()));
        }
        return new AllocNetwork(network.mode().wire(), null, mappings);
    }

    /** The task as the node runs it: every port with its host port fixed. */
    public static NetworkSpec resolved(NetworkSpec network, AllocNetwork placed) {
        if (network.ports().isEmpty()) return network;
        List<PortSpec> ports = new ArrayList<>();
        for (PortSpec p : network.ports()) {
            int host = placed.ports().stream().filter(m -> m.name().equals(p.name())).findFirst().orElseThrow().host();
            ports.add(p.withHost(host));
        }
        return new NetworkSpec(network.mode(), ports);
    }

    private static int free(Set<Integer> taken) {
        for (int p = DYNAMIC_FIRST; p <= DYNAMIC_LAST; p++) if (!taken.contains(p)) return p;
        throw new IllegalStateException("no dynamic host port left between " + DYNAMIC_FIRST + " and " + DYNAMIC_LAST);
    }
}
