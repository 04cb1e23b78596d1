package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/** What the node does when a task exits non-zero: up to {@code attempts} restarts per {@code interval}. */
public record RestartPolicy(int attempts, Duration interval, Duration delay, Mode mode) {
    public enum Mode {
        /** After the attempts, the allocation fails (and the scheduler may reschedule it). */
        @JsonProperty("fail") FAIL,
        /** After the attempts, wait out the interval and try again. */
        @JsonProperty("delay") DELAY
    }

    public static RestartPolicy defaultFor(JobType type) {
        return type == JobType.BATCH
                ? new RestartPolicy(3, Duration.ofHours(24), Duration.ofSeconds(15), Mode.FAIL)
                : new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), Mode.FAIL);
    }
}
