package dev.berth.model;

import dev.berth.model.spec.JobSpec;
import java.time.Instant;

/** A submitted job as stored: the spec and what happened to it. */
public record Job(String id, JobSpec spec, Instant submittedAt, String evaluationId, boolean stopped, Instant stoppedAt) {
    public Job stop(Instant now) {
        return new Job(id, spec, submittedAt, evaluationId, true, now);
    }
}
