package dev.berth.executor;

import dev.berth.model.spec.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Optional;

/** Whether, and after how long, a task that exited non-zero is started again on its node. Pure. */
final class RestartDecision {
    private RestartDecision() {
    }

    /**
     * @param restarts when earlier restarts happened (oldest first); entries older than the interval are dropped
     * @return the delay before the next start, or empty when the allocation fails
     */
    static Optional<Duration> next(RestartPolicy p, Deque<Instant> restarts, Instant now) {
        while (!restarts.isEmpty() && restarts.peekFirst().isBefore(now.minus(p.interval()))) restarts.pollFirst();
        if (restarts.size() < p.attempts()) return Optional.of(p.delay());
        if (p.mode() == RestartPolicy.Mode.FAIL || p.attempts() == 0) return Optional.empty();
        // delay mode: wait until the oldest restart leaves the interval, then go on
        Duration wait = Duration.between(now, restarts.peekFirst().plus(p.interval()));
        return Optional.of(wait.isNegative() ? p.delay() : wait.plus(p.delay()));
    }
}
