package dev.berth.scheduler.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gang placement (MPI-style work that is useless partly placed): a group with {@code gang: true}
 * places all its waiting instances at once or none. The core places as usual; a gang it could
 * place only in part is taken out and the rest placed again without it, so the room it would have
 * held goes to others in the same pass. Pure, on the real core.
 */
public final class Gangs {
    private Gangs() {
    }

    public static Plan place(List<Candidate> candidates, List<Ask> asks, Set<String> gangs) {
        if (gangs.isEmpty()) return PlacementCore.place(candidates, asks);
        var remaining = new ArrayList<>(asks);
        var held = new LinkedHashMap<String, Plan.Failure>();
        for (;;) {
            Plan plan = PlacementCore.place(candidates, remaining);
            Ask partial = remaining.stream()
                    .filter(a -> gangs.contains(a.key()) && plan.placed().getOrDefault(a.key(), List.of()).size() < a.count())
                    .findFirst().orElse(null);
            if (partial == null) {
                if (held.isEmpty()) return plan;
                var failed = new LinkedHashMap<>(plan.failed());
                failed.putAll(held);
                return new Plan(plan.placed(), failed);
            }
            int fit = plan.placed().getOrDefault(partial.key(), List.of()).size();
            var reasons = new LinkedHashMap<String, Integer>();
            var failure = plan.failed().get(partial.key());
            if (failure != null) reasons.putAll(failure.reasons());
            reasons.put("a gang of " + partial.count() + " places all or none, and " + fit + " fit now: held back", candidates.size());
            held.put(partial.key(), new Plan.Failure(partial.count(), Map.copyOf(reasons)));
            remaining.remove(partial);
        }
    }
}
