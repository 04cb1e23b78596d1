package dev.berth.scheduler.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/** One look by the scheduler at a job: why it happened and what came of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evaluation(String id, String jobId, String triggeredBy, String status, int placed, int unplaced,
                         Map<String, Integer> failures, Instant createdAt, Instant completedAt) {
    public static Evaluation pending(String id, String jobId, String triggeredBy, Instant now) {
        return new Evaluation(id, jobId, triggeredBy, "pending", 0, 0, Map.of(), now, null);
    }

    public Evaluation complete(int placed, int unplaced, Map<String, Integer> failures, Instant now) {
        return new Evaluation(id, jobId, triggeredBy, "complete", placed, unplaced, Map.copyOf(failures), createdAt, now);
    }
}
