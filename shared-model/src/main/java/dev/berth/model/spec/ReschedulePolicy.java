package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/** How the scheduler places a lost or failed allocation again, on another node if it can. */
public record ReschedulePolicy(int attempts, Duration interval, Duration delay, DelayFunction delayFunction,
                               Duration maxDelay, boolean unlimited) {
    public enum DelayFunction {
        @JsonProperty("constant") CONSTANT,
        @JsonProperty("exponential") EXPONENTIAL
    }

    /** Batch: one attempt in 24h after 5s. Service: unlimited, exponential from 30s to 1h. */
    public static ReschedulePolicy defaultFor(JobType type) {
        return type == JobType.BATCH
                ? new ReschedulePolicy(1, Duration.ofHours(24), Duration.ofSeconds(5), DelayFunction.CONSTANT, Duration.ofSeconds(5), false)
                : new ReschedulePolicy(0, Duration.ZERO, Duration.ofSeconds(30), DelayFunction.EXPONENTIAL, Duration.ofHours(1), true);
    }
}
