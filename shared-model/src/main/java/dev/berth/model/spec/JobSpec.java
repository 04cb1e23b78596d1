package dev.berth.model.spec;

import java.util.List;

/** What a user submits. Built by {@link SpecReader}, which fills defaults and checks every field. */
public record JobSpec(String name, JobType type, int priority, List<GroupSpec> groups) {
    public JobSpec {
        groups = List.copyOf(groups);
    }

    /** Total number of task instances this job asks for. */
    public int taskCount() {
        return groups.stream().mapToInt(g -> g.count() * g.tasks().size()).sum();
    }
}
