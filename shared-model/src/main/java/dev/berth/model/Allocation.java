package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.model.spec.Resources;
import java.time.Instant;

/**
 * One task instance of a job, placed (or waiting to be placed) on a node. {@code version} grows
 * with every change the node reports, so that a late, older report never overwrites a newer one.
 * {@code stopRequested} is the user's wish; {@code status} is what the node saw.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Allocation(String id, String jobId, String group, int index, String task, String nodeId,
                         AllocationStatus status, boolean stopRequested, Integer exitCode, Integer signal,
                         String reason, Resources resources, long version,
                         Instant createdAt, Instant startedAt, Instant finishedAt, Instant modifiedAt) {

    public static Allocation pending(String id, String jobId, String group, int index, String task, Resources resources, Instant now) {
        return new Allocation(id, jobId, group, index, task, null, AllocationStatus.PENDING, false, null, null,
                null, resources, 0, now, null, null, now);
    }

    public Allocation placedOn(String node, Instant now) {
        return new Allocation(id, jobId, group, index, task, node, status, stopRequested, exitCode, signal,
                null, resources, version, createdAt, startedAt, finishedAt, now);
    }

    /** Takes back a placement that the node did not accept, so the next pass can place it again. */
    public Allocation unplace(String why, Instant now) {
        return new Allocation(id, jobId, group, index, task, null, status, stopRequested, exitCode, signal,
                why, resources, version, createdAt, startedAt, finishedAt, now);
    }

    public Allocation waiting(String why, Instant now) {
        return new Allocation(id, jobId, group, index, task, nodeId, status, stopRequested, exitCode, signal,
                why, resources, version, createdAt, startedAt, finishedAt, now);
    }

    public Allocation stopping(Instant now) {
        return new Allocation(id, jobId, group, index, task, nodeId, status, true, exitCode, signal,
                reason, resources, version, createdAt, startedAt, finishedAt, now);
    }

    /** The allocation as the node reported it in {@code u}; the caller checks that u is newer. */
    public Allocation apply(AllocationUpdate u) {
        Instant started = startedAt == null && u.status() == AllocationStatus.RUNNING ? u.at() : startedAt;
        Instant finished = u.status().terminal() ? u.at() : null;
        return new Allocation(id, jobId, group, index, task, nodeId, u.status(), stopRequested, u.exitCode(), u.signal(),
                u.reason(), resources, u.version(), createdAt, started, finished, u.at());
    }

    /** Ends the allocation without the node's word: stopped before placement, or its node went silent. */
    public Allocation end(AllocationStatus terminal, String why, Instant now) {
        return new Allocation(id, jobId, group, index, task, nodeId, terminal, stopRequested, exitCode, signal,
                why, resources, version + 1, createdAt, startedAt, now, now);
    }

    public boolean placed() {
        return nodeId != null;
    }

    /** Finished with exit code 0 and not stopped by a user: what "succeeded" means for a batch job. */
    public boolean succeeded() {
        return status == AllocationStatus.COMPLETE && Integer.valueOf(0).equals(exitCode) && !stopRequested;
    }
}
