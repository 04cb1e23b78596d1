package dev.berth.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

class RestartDecisionTest {
    static final Instant T = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void failModeStopsAfterTheAttempts() {
        var p = new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), RestartPolicy.Mode.FAIL);
        var restarts = new ArrayDeque<Instant>();
        assertThat(RestartDecision.next(p, restarts, T)).contains(Duration.ofSeconds(15));
        restarts.add(T);
        restarts.add(T.plusSeconds(20));
        assertThat(RestartDecision.next(p, restarts, T.plusSeconds(40))).isEmpty();
        assertThat(RestartDecision.next(p, restarts, T.plus(Duration.ofMinutes(31)))).contains(Duration.ofSeconds(15));
    }

    @Test
    void delayModeWaitsOutTheInterval() {
        var p = new RestartPolicy(1, Duration.ofMinutes(10), Duration.ofSeconds(5), RestartPolicy.Mode.DELAY);
        var restarts = new ArrayDeque<Instant>();
        restarts.add(T);
        assertThat(RestartDecision.next(p, restarts, T.plusSeconds(60))).contains(Duration.ofMinutes(9).plusSeconds(5));
        assertThat(RestartDecision.next(new RestartPolicy(0, Duration.ZERO, Duration.ZERO, RestartPolicy.Mode.DELAY), new ArrayDeque<>(), T)).isEmpty();
    }
}
