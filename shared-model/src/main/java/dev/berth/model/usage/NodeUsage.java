package dev.berth.model.usage;

import java.util.Map;

/**
 * The latest usage a node saw, carried by its heartbeat: cpu cores busy and memory in use on the
 * host, and per allocation its cpu (cores) and memory (working set, bytes).
 */
public record NodeUsage(double cpu, long memory, Map<String, Allocation> allocations) {
    public record Allocation(double cpu, long memory) {
    }

    public NodeUsage {
        allocations = Map.copyOf(allocations);
    }
}
