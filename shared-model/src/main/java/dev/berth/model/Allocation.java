package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.model.spec.Resources;
import java.time.Instant;

/**
 * One task instance of a job, placed (or waiting to be placed) on a node. {@code version} grows
 * with every change the node reports, so that a late, older report never overwrites a newer one.
 * {@code stopRequested} is the user's wish; {@code status} is what the node saw. A lost or failed
 * allocation that the scheduler places again names its {@code replacedBy}; the new one names its
 * {@code previous} and counts its reschedule {@code attempt}. {@code accounting} is what its last
 * run used, once it ended. {@code preemptedBy} names the job whose work took its room: its stop
 * then ends it as {@link AllocationStatus#PREEMPTED}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Allocation(String id, String jobId, String group, int index, String task, String nodeId,
                         AllocationStatus status, boolean stopRequested, Integer exitCode, Integer signal,
                         String reason, Resources resources, long version,
                         Instant createdAt, Instant startedAt, Instant finishedAt, Instant modifiedAt,
                         String previous, int attempt, String replacedBy, AllocNetwork network, Accounting accounting,
                         String preemptedBy) {

    public static Allocation pending(String id, String jobId, String group, int index, String task, Resources resources, Instant now) {
        return new Allocation(id, jobId, group, index, task, null, AllocationStatus.PENDING, false, null, null,
                null, resources, 0, now, null, null, now, null, 0, null, null, null, null);
    }

    /** A new allocation for the same task instance, placed afresh. */
    public Allocation replacement(String newId, Instant now) {
        return new Allocation(newId, jobId, group, index, task, null, AllocationStatus.PENDING, false, null, null,
                null, resources, 0, now, null, null, now, id, attempt + 1, null, null, null, null);
    }

    /** The instance again after a preemption: it waits to be placed, its attempt count unchanged (it did not fail). */
    public Allocation resumed(String newId, Instant now) {
        return new Allocation(newId, jobId, group, index, task, null, AllocationStatus.PENDING, false, null, null,
                "waiting: preempted by job " + preemptedBy + ", placed again when there is room", resources, 0, now, null, null, now, id, attempt,
                null, null, null, null);
    }

    /** Stopped to give its room to work of job {@code byJob}; the node's report of its end makes it {@code preempted}. */
    public Allocation preempt(String byJob, Instant now) {
        return new Allocation(id, jobId, group, index, task, nodeId, status, true, exitCode, signal, "being preempted by job " + byJob,
                resources, version, createdAt, startedAt, finishedAt, now, previous, attempt, replacedBy, network, accounting, byJob);
    }

    private Allocation copy(String node, AllocationStatus s, boolean stop, Integer exit, Integer sig, String why, long v,
                            Instant started, Instant finished, Instant now, String replaced) {
        return new Allocation(id, jobId, group, index, task, node, s, stop, exit, sig, why, resources, v,
                createdAt, started, finished, now, previous, attempt, replaced, network, accounting, preemptedBy);
    }

    /** Placed with these published ports (the scheduler chose the dynamic ones). */
    public Allocation withNetwork(AllocNetwork n) {
        return new Allocation(id, jobId, group, index, task, nodeId, status, stopRequested, exitCode, signal, reason, resources, version,
                createdAt, startedAt, finishedAt, modifiedAt, previous, attempt, replacedBy, n, accounting, preemptedBy);
    }

    public Allocation withAccounting(Accounting a) {
        return new Allocation(id, jobId, group, index, task, nodeId, status, stopRequested, exitCode, signal, reason, resources, version,
                createdAt, startedAt, finishedAt, modifiedAt, previous, attempt, replacedBy, network, a, preemptedBy);
    }

    public Allocation placedOn(String node, Instant now) {
        return copy(node, status, stopRequested, exitCode, signal, null, version, startedAt, finishedAt, now, replacedBy);
    }

    /** Takes back a placement that the node did not accept, so the next pass can place it again. */
    public Allocation unplace(String why, Instant now) {
        return copy(null, status, stopRequested, exitCode, signal, why, version, startedAt, finishedAt, now, replacedBy);
    }

    public Allocation waiting(String why, Instant now) {
        return copy(nodeId, status, stopRequested, exitCode, signal, why, version, startedAt, finishedAt, now, replacedBy);
    }

    public Allocation stopping(Instant now) {
        return copy(nodeId, status, true, exitCode, signal, reason, version, startedAt, finishedAt, now, replacedBy);
    }

    public Allocation replacedBy(String newId, Instant now) {
        return copy(nodeId, status, stopRequested, exitCode, signal, reason, version, startedAt, finishedAt, now, newId);
    }

    /** The allocation as the node reported it in {@code u}; the caller checks that u is newer. */
    public Allocation apply(AllocationUpdate u) {
        Instant started = startedAt == null && u.status() == AllocationStatus.RUNNING ? u.at() : startedAt;
        Instant finished = u.status().terminal() ? u.at() : null;
        Allocation base = u.network() != null ? withNetwork(u.network()) : this;
        if (u.accounting() != null) base = base.withAccounting(u.accounting());
        if (preemptedBy != null && u.status().terminal()) {
            return base.copy(nodeId, AllocationStatus.PREEMPTED, stopRequested, u.exitCode(), u.signal(),
                    "preempted by job " + preemptedBy + " to make room for its work", u.version(), started, finished, u.at(), replacedBy);
        }
        return base.copy(nodeId, u.status(), stopRequested, u.exitCode(), u.signal(), u.reason(), u.version(), started, finished, u.at(), replacedBy);
    }

    /** Ends the allocation without the node's word: stopped before placement, or its node went silent. */
    public Allocation end(AllocationStatus terminal, String why, Instant now) {
        return copy(nodeId, terminal, stopRequested, exitCode, signal, why, version + 1, startedAt, now, now, replacedBy);
    }

    public boolean placed() {
        return nodeId != null;
    }

    /** Still the current one of its task instance (not replaced by a rescheduled allocation). */
    public boolean current() {
        return replacedBy == null;
    }

    /** Finished with exit code 0 and not stopped by a user: what "succeeded" means for a batch job. */
    public boolean succeeded() {
        return status == AllocationStatus.COMPLETE && Integer.valueOf(0).equals(exitCode) && !stopRequested;
    }
}
