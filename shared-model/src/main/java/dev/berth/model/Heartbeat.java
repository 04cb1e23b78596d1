package dev.berth.model;

import dev.berth.model.spec.Resources;
import java.util.List;
import java.util.Map;

/**
 * What a node says every second: who it is, what it has, which allocations it is running (so
 * that the scheduler can notice an allocation that a node no longer knows), and what it uses now
 * ({@code usage}, null until the first sample), and the block its containers' addresses come from
 * ({@code subnet}), so that other nodes can route to them.
 */
public record Heartbeat(String nodeId, String address, Resources capacity, Map<String, String> labels,
                        Map<String, String> attributes, List<String> runningAllocations, long sequence,
                        dev.berth.model.usage.NodeUsage usage, String subnet) {
    public Heartbeat {
        labels = Map.copyOf(labels);
        attributes = Map.copyOf(attributes);
        runningAllocations = List.copyOf(runningAllocations);
    }
}
