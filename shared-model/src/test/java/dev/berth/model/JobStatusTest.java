package dev.berth.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.JobType;
import dev.berth.model.spec.Resources;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatusTest {
    static final Instant T = Instant.parse("2026-11-29T00:00:00Z");
    static final Job JOB = new Job("j-1", new JobSpec("j", JobType.BATCH, 50, List.of()), T, "e", false, null);

    static Allocation alloc(AllocationStatus s, Integer exit) {
        var a = Allocation.pending("a", "j-1", "g", 0, "t", Resources.NONE, T).placedOn("n", T);
        return s == AllocationStatus.PENDING ? a : a.apply(new AllocationUpdate("a", "n", s, exit, null, null, 1, T));
    }

    @Test
    void derivedFromAllocations() {
        assertThat(JobStatus.of(JOB, List.of())).isEqualTo(JobStatus.PENDING);
        assertThat(JobStatus.of(JOB, List.of(alloc(AllocationStatus.PENDING, null)))).isEqualTo(JobStatus.PENDING);
        assertThat(JobStatus.of(JOB, List.of(alloc(AllocationStatus.RUNNING, null), alloc(AllocationStatus.PENDING, null)))).isEqualTo(JobStatus.RUNNING);
        assertThat(JobStatus.of(JOB, List.of(alloc(AllocationStatus.COMPLETE, 0)))).isEqualTo(JobStatus.COMPLETE);
        assertThat(JobStatus.of(JOB, List.of(alloc(AllocationStatus.COMPLETE, 0), alloc(AllocationStatus.FAILED, 1)))).isEqualTo(JobStatus.FAILED);
        assertThat(JobStatus.of(JOB, List.of(alloc(AllocationStatus.LOST, null)))).isEqualTo(JobStatus.FAILED);
        assertThat(JobStatus.of(JOB.stop(T), List.of(alloc(AllocationStatus.COMPLETE, 143)))).isEqualTo(JobStatus.STOPPED);
        assertThat(JobStatus.of(JOB.stop(T), List.of(alloc(AllocationStatus.RUNNING, null)))).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void anOlderUpdateKeepsTimestampsRight() {
        var running = alloc(AllocationStatus.RUNNING, null);
        assertThat(running.startedAt()).isEqualTo(T);
        var done = running.apply(new AllocationUpdate("a", "n", AllocationStatus.COMPLETE, 0, null, null, 2, T.plusSeconds(5)));
        assertThat(done.startedAt()).isEqualTo(T);
        assertThat(done.finishedAt()).isEqualTo(T.plusSeconds(5));
        assertThat(done.succeeded()).isTrue();
        assertThat(done.stopping(T).succeeded()).isFalse();
    }
}
