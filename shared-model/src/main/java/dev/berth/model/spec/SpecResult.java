package dev.berth.model.spec;

import java.util.List;

/** The outcome of reading a job spec: a valid spec, or every problem found. */
public sealed interface SpecResult {
    record Valid(JobSpec spec) implements SpecResult {
    }

    record Invalid(List<FieldError> errors) implements SpecResult {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }
}
