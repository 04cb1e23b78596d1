package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collection;

/** A job's status, derived from its allocations rather than stored, so it can never disagree with them. */
public enum JobStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("complete") COMPLETE,
    @JsonProperty("failed") FAILED,
    @JsonProperty("stopped") STOPPED;

    /** Replaced allocations (rescheduled elsewhere) do not count: their replacements speak for them. */
    public static JobStatus of(Job job, Collection<Allocation> all) {
        // a periodic or parameterized job runs through its children: it is running until stopped
        if (job.spec().launchesChildren()) return job.stopped() ? STOPPED : RUNNING;
        var allocations = all.stream().filter(Allocation::current).toList();
        boolean active = allocations.stream().anyMatch(a -> !a.status().terminal());
        if (job.stopped() && !active) return STOPPED;
        if (allocations.stream().anyMatch(a -> a.status() == AllocationStatus.RUNNING)) return RUNNING;
        if (active || allocations.isEmpty()) return job.stopped() ? STOPPED : PENDING;
        if (job.stopped()) return STOPPED;
        return allocations.stream().allMatch(Allocation::succeeded) ? COMPLETE : FAILED;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
