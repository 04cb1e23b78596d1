package dev.berth.model.spec;

import java.util.List;

/**
 * {@code count} copies of a set of tasks that are placed together on one node.
 *
 * @param scoring     "binpack" (default: fill nodes) or "spread" (one instance per least-loaded node)
 * @param maxParallel at most this many instances placed at once (Slurm's {@code --array=…%N}); 0: no limit
 * @param gang        all its waiting instances are placed at once or none are (MPI-style work)
 */
public record GroupSpec(String name, int count, List<TaskSpec> tasks, List<Constraint> constraints,
                        RestartPolicy restart, ReschedulePolicy reschedule, String scoring, int maxParallel, boolean gang) {
    public GroupSpec {
        tasks = List.copyOf(tasks);
        constraints = List.copyOf(constraints);
        scoring = scoring == null ? "binpack" : scoring;
    }

    public GroupSpec withTasks(List<TaskSpec> t) {
        return new GroupSpec(name, count, t, constraints, restart, reschedule, scoring, maxParallel, gang);
    }

    public boolean spread() {
        return scoring.equals("spread");
    }
}
