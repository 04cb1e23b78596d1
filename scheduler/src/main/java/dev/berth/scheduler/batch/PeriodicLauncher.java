package dev.berth.scheduler.batch;

import dev.berth.model.Job;
import dev.berth.model.JobStatus;
import dev.berth.model.spec.Periodic;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's clock for periodic jobs: each second it starts the runs that are due, one child job
 * {@code <id>.periodic-<epoch seconds>} per run. A parent keeps the slot it last launched, so a new
 * leader repeats no run, and runs missed while no leader was there are started once (the latest
 * slot), not once per missed slot. Overlap: {@code allow} starts the run anyway, {@code forbid} skips
 * it while an earlier run is active, {@code replace} stops the earlier runs first.
 */
public final class PeriodicLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicLauncher.class);

    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;

    public PeriodicLauncher(Vertx vertx, ClusterState state, Clock clock) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
    }

    /** Starts what is due, writing as the leader of {@code epoch}; returns how many runs it started. Blocking. */
    public int sweep(long epoch) {
        var leader = state.asLeader(epoch);
        var now = clock.instant();
        int started = 0;
        for (Job parent : state.periodicJobs()) {
            Periodic p = parent.spec().periodic();
            if (p == null || !p.enabled() || parent.stopped()) continue;
            Instant since = parent.lastLaunched() != null ? parent.lastLaunched() : parent.submittedAt();
            Optional<Instant> due = p.latestDue(now).filter(slot -> slot.isAfter(since));
            if (due.isEmpty()) continue;
            if (launch(leader, parent, due.get(), false, now).isPresent()) started++;
            // read again just before: a user may have stopped it meanwhile, and that must stay
            state.job(parent.id()).filter(j -> !j.stopped()).ifPresent(j -> leader.putJob(j.launched(due.get())));
        }
        return started;
    }

    /** A run now, whatever the schedule says ({@code POST /v1/jobs/{id}/periodic/force}). Blocking. */
    public Optional<Job> force(Job parent) {
        var now = clock.instant();
        return launch(state, parent, now, true, now);
    }

    /** @param forced asked for by a user: it runs even where {@code forbid} would skip a scheduled run */
    private Optional<Job> launch(ClusterState writer, Job parent, Instant slot, boolean forced, Instant now) {
        var overlap = parent.spec().periodic().overlap();
        var active = Children.of(state, parent.id()).stream()
                .filter(c -> !terminal(JobStatus.of(c, state.allocationsOfJob(c.id())))).toList();
        if (!active.isEmpty() && overlap == Periodic.Overlap.FORBID && !forced) {
            LOG.info("periodic job {}: the run of {} is skipped: {} still runs (overlap: forbid)", parent.id(), slot, active.getFirst().id());
            return Optional.empty();
        }
        if (overlap == Periodic.Overlap.REPLACE) active.forEach(c -> Children.stop(vertx, writer, c, now));
        String id = parent.id() + ".periodic-" + slot.getEpochSecond();
        var child = Children.create(writer, parent, id, parent.spec().child(Map.of(), null), forced ? "periodic run forced" : "periodic run", now);
        child.ifPresent(c -> LOG.info("periodic job {}: started run {}", parent.id(), c.id()));
        return child;
    }

    static boolean terminal(JobStatus s) {
        return s == JobStatus.COMPLETE || s == JobStatus.FAILED || s == JobStatus.STOPPED;
    }
}
