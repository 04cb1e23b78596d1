package dev.berth.model;

import dev.berth.model.spec.JobSpec;
import java.time.Instant;

/**
 * A submitted job as stored: the spec and what happened to it. A periodic run or a dispatch names
 * its {@code parent}; a periodic parent keeps when it {@code lastLaunched} a run, so that a new
 * leader neither repeats a run nor makes up every missed one.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Job(String id, JobSpec spec, Instant submittedAt, String evaluationId, boolean stopped, Instant stoppedAt,
                  String parent, Instant lastLaunched) {
    public Job(String id, JobSpec spec, Instant submittedAt, String evaluationId, boolean stopped, Instant stoppedAt) {
        this(id, spec, submittedAt, evaluationId, stopped, stoppedAt, null, null);
    }

    public Job stop(Instant now) {
        return new Job(id, spec, submittedAt, evaluationId, true, now, parent, lastLaunched);
    }

    public Job launched(Instant slot) {
        return new Job(id, spec, submittedAt, evaluationId, stopped, stoppedAt, parent, slot);
    }
}
