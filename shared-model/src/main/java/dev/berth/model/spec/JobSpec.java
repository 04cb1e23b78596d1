package dev.berth.model.spec;

import java.util.List;

/**
 * What a user submits. Built by {@link SpecReader}, which fills defaults and checks every field.
 *
 * @param dependsOn jobs that must have ended as each one says before this one's tasks are placed
 */
public record JobSpec(String name, JobType type, int priority, List<GroupSpec> groups, List<Dependency> dependsOn) {
    public JobSpec {
        groups = List.copyOf(groups);
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    public JobSpec(String name, JobType type, int priority, List<GroupSpec> groups) {
        this(name, type, priority, groups, List.of());
    }

    /**
     * One job this job waits for, and how that one must end: {@code success} (Slurm's afterok: it
     * completed, every task exit 0), {@code failure} (afternotok: it failed), {@code finished}
     * (afterany: it ended in any way).
     */
    public record Dependency(String job, Condition condition) {
        public enum Condition {
            SUCCESS, FAILURE, FINISHED;

            @com.fasterxml.jackson.annotation.JsonValue
            public String wire() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }

            @com.fasterxml.jackson.annotation.JsonCreator
            public static Condition of(String s) {
                return valueOf(s.toUpperCase(java.util.Locale.ROOT));
            }
        }
    }

    /** Total number of task instances this job asks for. */
    public int taskCount() {
        return groups.stream().mapToInt(g -> g.count() * g.tasks().size()).sum();
    }
}
