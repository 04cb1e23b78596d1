package dev.berth.scheduler.placement;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the core decided: for each ask, the node of each placed instance (in order), and for each
 * ask left (partly) unplaced, how many and why, counted per reason over the nodes.
 */
public record Plan(Map<String, List<String>> placed, Map<String, Failure> failed) {
    public Plan {
        placed = Map.copyOf(placed);
        failed = Map.copyOf(failed);
    }

    public int placedCount() {
        return placed.values().stream().mapToInt(List::size).sum();
    }

    public int unplacedCount() {
        return failed.values().stream().mapToInt(Failure::count).sum();
    }

    /** Instances of one ask that found no node, and the reasons per node. */
    public record Failure(int count, Map<String, Integer> reasons) {
        public Failure {
            reasons = Map.copyOf(reasons);
        }

        /**
         * "insufficient memory on 3 nodes; port 8080 taken on 1 node" — most common first. A reason
         * counted on no node is about the work, not the nodes (its queue's quota, its turn), and comes first.
         */
        public String explain() {
            if (reasons.isEmpty()) return "no node is ready";
            return reasons.entrySet().stream()
                    .sorted(Comparator.comparing((Map.Entry<String, Integer> e) -> e.getValue() != 0)
                            .thenComparing(Map.Entry.<String, Integer>comparingByValue().reversed()).thenComparing(Map.Entry.comparingByKey()))
                    .map(e -> e.getValue() == 0 ? e.getKey() : e.getKey() + " on " + e.getValue() + (e.getValue() == 1 ? " node" : " nodes"))
                    .collect(Collectors.joining("; "));
        }
    }
}
