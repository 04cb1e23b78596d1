package dev.berth.model.spec;

import java.util.List;

/** {@code count} copies of a set of tasks that are placed together on one node. */
public record GroupSpec(String name, int count, List<TaskSpec> tasks, List<Constraint> constraints,
                        RestartPolicy restart, ReschedulePolicy reschedule) {
    public GroupSpec {
        tasks = List.copyOf(tasks);
        constraints = List.copyOf(constraints);
    }
}
