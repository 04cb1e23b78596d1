package dev.berth.model.spec;

import java.util.List;

/**
 * What a user submits. Built by {@link SpecReader}, which fills defaults and checks every field.
 *
 * @param dependsOn     jobs that must have ended as each one says before this one's tasks are placed
 * @param periodic      null, or the schedule on which child jobs run this spec
 * @param parameterized null, or how a dispatch of this job must look; each dispatch is a child job
 * @param queue         the queue whose share and quota the job's work counts against ({@code default} when not named)
 * @param preemptible   whether work of a much higher priority (or a queue reclaiming its quota) may stop this job's
 *                      allocations to take their room; true when not given
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record JobSpec(String name, JobType type, int priority, List<GroupSpec> groups, List<Dependency> dependsOn,
                      Periodic periodic, Parameterized parameterized, String queue, Boolean preemptible) {
    public static final String DEFAULT_QUEUE = "default";

    public JobSpec {
        groups = List.copyOf(groups);
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        // specs stored before queues existed have neither field
        if (queue == null) queue = DEFAULT_QUEUE;
        if (preemptible == null) preemptible = true;
    }

    public JobSpec(String name, JobType type, int priority, List<GroupSpec> groups) {
        this(name, type, priority, groups, List.of(), null, null, DEFAULT_QUEUE, true);
    }

    public JobSpec(String name, JobType type, int priority, List<GroupSpec> groups, List<Dependency> dependsOn,
                   Periodic periodic, Parameterized parameterized) {
        this(name, type, priority, groups, dependsOn, periodic, parameterized, DEFAULT_QUEUE, true);
    }

    public JobSpec inQueue(String q) {
        return new JobSpec(name, type, priority, groups, dependsOn, periodic, parameterized, q, preemptible);
    }

    /** A periodic or parameterized job runs only through its children. */
    public boolean launchesChildren() {
        return periodic != null || parameterized != null;
    }

    /** The spec a child runs: this one without its schedule or dispatch rules, its tasks with {@code env} added. */
    public JobSpec child(java.util.Map<String, String> env, String payload) {
        var kids = groups.stream().map(g -> g.withTasks(g.tasks().stream().map(t -> t.withEnv(env).withPayload(payload)).toList())).toList();
        return new JobSpec(name, type, priority, kids, dependsOn, null, null, queue, preemptible);
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
