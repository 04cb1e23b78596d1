package dev.berth.scheduler.batch;

import dev.berth.model.Allocation;
import dev.berth.model.Job;
import dev.berth.model.JobStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the state bounded: a job that ended longer ago than {@code jobGcAfter} is removed with its
 * allocations and evaluation (and so from the journal, whose compaction then drops them), and each
 * node that ran one of its allocations is told to forget it, which removes its logs there. History
 * outlives this through the accounting events on Kafka.
 */
public final class JobCollector {
    private static final Logger LOG = LoggerFactory.getLogger(JobCollector.class);

    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private final Duration after;

    public JobCollector(Vertx vertx, ClusterState state, Clock clock, Duration after) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.after = after;
    }

    /** When the job ended, if it has: a stopped or finished job's last moment; empty while it (or any allocation) is active. Pure. */
    public static Optional<Instant> ended(Job job, List<Allocation> allocs) {
        JobStatus s = JobStatus.of(job, allocs);
        if (s != JobStatus.COMPLETE && s != JobStatus.FAILED && s != JobStatus.STOPPED) return Optional.empty();
        if (allocs.stream().anyMatch(a -> !a.status().terminal())) return Optional.empty();
        Instant last = job.stoppedAt() != null ? job.stoppedAt() : job.submittedAt();
        for (Allocation a : allocs) {
            Instant t = a.finishedAt() != null ? a.finishedAt() : a.modifiedAt();
            if (t != null && t.isAfter(last)) last = t;
        }
        return Optional.of(last);
    }

    /** Removes what ended before {@code now - jobGcAfter}; returns how many jobs. Blocking; the leader's. */
    public int sweep() {
        Instant cutoff = clock.instant().minus(after);
        int removed = 0;
        for (Job job : state.submittedBefore(cutoff)) {
            var allocs = state.allocationsOfJob(job.id());
            var end = ended(job, allocs);
            if (end.isEmpty() || !end.get().isBefore(cutoff)) continue;
            state.removeJob(job, allocs);
            for (Allocation a : allocs) {
                if (a.placed()) vertx.eventBus().send(Addresses.nodeStop(a.nodeId()), new JsonObject().put("allocationId", a.id()).put("forget", true));
            }
            removed++;
        }
        if (removed > 0) LOG.info("removed {} job(s) that ended more than {} ago", removed, dev.berth.model.units.Durations.format(after));
        return removed;
    }
}
