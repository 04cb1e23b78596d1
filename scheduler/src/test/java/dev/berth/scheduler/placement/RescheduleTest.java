package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.spec.JobType;
import dev.berth.model.spec.ReschedulePolicy;
import dev.berth.model.spec.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RescheduleTest {
    static final Instant T = Instant.parse("2026-11-29T10:00:00Z");

    static Allocation lost(int attempt, Instant at) {
        var a = Allocation.pending("a" + attempt, "j", "g", 0, "t", Resources.NONE, at);
        for (int i = 0; i < attempt; i++) a = a.replacement("a" + attempt, at);
        return a.placedOn("n", at).end(AllocationStatus.LOST, "node gone", at);
    }

    @Test
    @DisplayName("batch default: one attempt in 24h, 5s after the loss")
    void batchDefault() {
        var p = ReschedulePolicy.defaultFor(JobType.BATCH);
        assertThat(Reschedule.nextAttempt(lost(0, T), List.of(), p, T)).contains(T.plusSeconds(5));
        var second = lost(1, T.plusSeconds(60));
        assertThat(Reschedule.nextAttempt(second, List.of(lost(0, T)), p, T.plusSeconds(60))).isEmpty();
        assertThat(Reschedule.nextAttempt(second, List.of(lost(0, T)), p, T.plus(Duration.ofHours(25)))).isPresent();
    }

    @Test
    @DisplayName("service default: unlimited, exponential from 30s to at most 1h")
    void serviceDefault() {
        var p = ReschedulePolicy.defaultFor(JobType.SERVICE);
        assertThat(Reschedule.delay(p, 0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Reschedule.delay(p, 1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Reschedule.delay(p, 3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(Reschedule.delay(p, 20)).isEqualTo(Duration.ofHours(1));
        var many = java.util.stream.IntStream.range(0, 50).mapToObj(i -> lost(0, T)).toList();
        assertThat(Reschedule.nextAttempt(lost(5, T), many, p, T)).contains(T.plus(Duration.ofMinutes(16)));
    }
}
