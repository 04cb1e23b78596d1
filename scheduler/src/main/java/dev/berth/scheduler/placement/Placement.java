package dev.berth.scheduler.placement;

import java.util.Map;
import java.util.stream.Collectors;

/** Where one group instance goes, or why it goes nowhere, counted per reason over the nodes. */
public sealed interface Placement {
    record Placed(String nodeId) implements Placement {
    }

    record Unplaced(Map<String, Integer> reasons) implements Placement {
        public Unplaced {
            reasons = Map.copyOf(reasons);
        }

        /** "insufficient memory on 3 nodes; insufficient cpu on 1 node" — most common reason first. */
        public String explain() {
            if (reasons.isEmpty()) return "no node is ready";
            return reasons.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .map(e -> e.getKey() + " on " + e.getValue() + (e.getValue() == 1 ? " node" : " nodes"))
                    .collect(Collectors.joining("; "));
        }
    }
}
