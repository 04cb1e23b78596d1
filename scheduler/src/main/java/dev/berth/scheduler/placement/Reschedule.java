package dev.berth.scheduler.placement;

import dev.berth.model.Allocation;
import dev.berth.model.spec.ReschedulePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** When a lost or failed allocation may be placed again, by its group's policy. Pure. */
public final class Reschedule {
    private Reschedule() {
    }

    /**
     * The time of the next attempt, or empty when the policy allows no more.
     *
     * @param earlier the instance's earlier allocations that were themselves replaced (its history)
     */
    public static Optional<Instant> nextAttempt(Allocation ended, List<Allocation> earlier, ReschedulePolicy p, Instant now) {
        if (!p.unlimited()) {
            Instant since = now.minus(p.interval());
            long inInterval = earlier.stream().filter(a -> a.finishedAt() != null && a.finishedAt().isAfter(since)).count();
            if (inInterval + 1 > p.attempts()) return Optional.empty();
        }
        Instant from = ended.finishedAt() != null ? ended.finishedAt() : now;
        return Optional.of(from.plus(delay(p, ended.attempt())));
    }

    /** Constant, or doubling from the delay per attempt up to maxDelay. */
    static Duration delay(ReschedulePolicy p, int attempt) {
        if (p.delayFunction() == ReschedulePolicy.DelayFunction.CONSTANT) return p.delay();
        Duration d = p.delay();
        for (int i = 0; i < attempt && d.compareTo(p.maxDelay()) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(p.maxDelay()) > 0 ? p.maxDelay() : d;
    }
}
