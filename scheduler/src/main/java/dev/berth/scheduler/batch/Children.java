package dev.berth.scheduler.batch;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.Job;
import dev.berth.model.bus.Addresses;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.TaskSpec;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.Evaluation;
import dev.berth.scheduler.state.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Making and stopping jobs: a submission, and the children of periodic and parameterized jobs, are
 * stored the same way (the job with its pending allocations and an evaluation); stopping one asks
 * each node to stop what it runs.
 */
public final class Children {
    private Children() {
    }

    /** One pending allocation per task of each group instance; none for a job that runs through children. */
    public static List<Allocation> allocations(Job job, Instant now) {
        var allocs = new ArrayList<Allocation>();
        if (job.spec().launchesChildren()) return allocs;
        for (GroupSpec g : job.spec().groups()) {
            for (int i = 0; i < g.count(); i++) {
                for (TaskSpec t : g.tasks()) allocs.add(Allocation.pending(Ids.allocation(), job.id(), g.name(), i, t.name(), t.resources(), now));
            }
        }
        return allocs;
    }

    /** Stores a job with its allocations and evaluation; a periodic or parameterized parent's evaluation is complete at once. */
    public static void store(ClusterState state, Job job, String trigger, Instant now) {
        var eval = Evaluation.pending(job.evaluationId(), job.id(), trigger, now);
        if (job.spec().launchesChildren()) eval = eval.complete(0, 0, java.util.Map.of(), now);
        state.createJob(job, allocations(job, now), eval);
    }

    /** Stores a child of {@code parent} under {@code id}; empty when a job of that id exists already (a run made twice). */
    public static Optional<Job> create(ClusterState state, Job parent, String id, JobSpec spec, String trigger, Instant now) {
        if (state.job(id).isPresent()) return Optional.empty();
        var child = new Job(id, spec, now, Ids.evaluation(), false, null, parent.id(), null);
        store(state, child, trigger, now);
        return Optional.of(child);
    }

    /** The jobs that name {@code parentId} as their parent, oldest first. */
    public static List<Job> of(ClusterState state, String parentId) {
        return state.childrenOf(parentId);
    }

    /** Marks the job stopped and asks each node to stop its allocations; unplaced ones end at once. Blocking. */
    public static void stop(Vertx vertx, ClusterState state, Job j, Instant now) {
        if (!j.stopped()) state.putJob(j.stop(now));
        for (Allocation a : state.allocationsOfJob(j.id())) {
            if (a.status().terminal()) continue;
            state.updateAllocation(a.id(), cur -> cur.status().terminal() ? null
                    : cur.placed() ? cur.stopping(now) : cur.stopping(now).end(AllocationStatus.COMPLETE, "stopped before it was placed", now));
            if (a.placed()) vertx.eventBus().send(Addresses.nodeStop(a.nodeId()), new JsonObject().put("allocationId", a.id()));
        }
    }
}
