package dev.berth.scheduler.placement;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.Job;
import dev.berth.model.spec.GroupSpec;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.Ids;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places lost and failed allocations again, when their group's reschedule policy allows and its
 * delay has passed. The replacement is created only if the old allocation could be marked replaced
 * under its lock, so two scheduler members never both replace one allocation.
 */
public final class Rescheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Rescheduler.class);

    private final ClusterState state;
    private final Clock clock;

    public Rescheduler(ClusterState state, Clock clock) {
        this.state = state;
        this.clock = clock;
    }

    /** One sweep (blocking) by the leader of {@code epoch}; returns how many replacements it made. */
    public int sweep(long epoch) {
        var leader = state.asLeader(epoch);
        var now = clock.instant();
        int made = 0;
        Map<String, Optional<Job>> jobs = new HashMap<>();
        Map<String, List<Allocation>> ofJob = new HashMap<>(); // one query per job and sweep, not per allocation
        for (Allocation a : state.endedAllocations()) {
            if (!a.current() || a.stopRequested()) continue;
            if (a.status() != AllocationStatus.LOST && a.status() != AllocationStatus.FAILED) continue;
            Optional<Job> job = jobs.computeIfAbsent(a.jobId(), state::job);
            if (job.isEmpty() || job.get().stopped()) continue;
            GroupSpec group = PlacementService.groupOf(job.get(), a.group());
            List<Allocation> history = ofJob.computeIfAbsent(a.jobId(), state::allocationsOfJob).stream()
                    .filter(o -> !o.current() && o.group().equals(a.group()) && o.index() == a.index() && o.task().equals(a.task()))
                    .toList();
            var due = Reschedule.nextAttempt(a, history, group.reschedule(), now);
            if (due.isEmpty() || due.get().isAfter(now)) continue;
            String newId = Ids.allocation();
            if (leader.updateAllocation(a.id(), cur -> cur.current() && !cur.stopRequested() ? cur.replacedBy(newId, now) : null).isEmpty()) continue;
            leader.createAllocation(a.replacement(newId, now));
            LOG.info("allocation {} ({}) placed again as {} (attempt {})", a.id(), a.status().wire(), newId, a.attempt() + 1);
            made++;
        }
        return made;
    }
}
