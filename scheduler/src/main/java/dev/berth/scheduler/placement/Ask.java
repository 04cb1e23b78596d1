package dev.berth.scheduler.placement;

import dev.berth.model.spec.Constraint;
import dev.berth.model.spec.Resources;
import java.util.List;
import java.util.Set;

/**
 * {@code count} identical group instances to place (their tasks go together on one node).
 *
 * @param key         names the group, e.g. "job-1/web", for the plan and the reasons
 * @param each        what one instance needs: the sum of its tasks' resources
 * @param staticPorts host ports one instance publishes (so two instances never share a node)
 * @param spread      spread instances over nodes instead of packing them
 * @param priority    its job's priority: every ask of a higher one is placed before any of a lower one sees the room
 */
public record Ask(String key, int count, Resources each, Set<Integer> staticPorts, List<Constraint> constraints, boolean spread, int priority) {
    public Ask {
        staticPorts = Set.copyOf(staticPorts);
        constraints = List.copyOf(constraints);
    }

    public Ask(String key, int count, Resources each, Set<Integer> staticPorts, List<Constraint> constraints, boolean spread) {
        this(key, count, each, staticPorts, constraints, spread, 0);
    }

    public Ask withPriority(int p) {
        return new Ask(key, count, each, staticPorts, constraints, spread, p);
    }

    public Ask withCount(int n) {
        return new Ask(key, n, each, staticPorts, constraints, spread, priority);
    }

    public static Ask of(String key, int count, Resources each) {
        return new Ask(key, count, each, Set.of(), List.of(), false);
    }
}
