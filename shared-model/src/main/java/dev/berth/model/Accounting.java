package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one run of a task used, read from its cgroup as its PID 1 ended (Slurm's sacct fields):
 * cpu time in seconds and the highest memory use in bytes. Elapsed time is its allocation's
 * finishedAt less startedAt.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Accounting(double cpuSeconds, long peakMemory) {
}
