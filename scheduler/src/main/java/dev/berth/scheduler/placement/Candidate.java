package dev.berth.scheduler.placement;

import dev.berth.model.spec.Resources;
import java.util.Map;
import java.util.Set;

/**
 * A node as the placement core sees it: what it has, what its live allocations hold, its host
 * ports in use, its labels and attributes, and whether it takes new work.
 */
public record Candidate(String id, Resources capacity, Resources used, Set<Integer> usedPorts,
                        Map<String, String> labels, Map<String, String> attributes, boolean eligible) {
    public Candidate {
        usedPorts = Set.copyOf(usedPorts);
        labels = Map.copyOf(labels);
        attributes = Map.copyOf(attributes);
    }

    public static Candidate empty(String id, Resources capacity, Map<String, String> labels) {
        return new Candidate(id, capacity, Resources.NONE, Set.of(), labels, Map.of(), true);
    }
}
