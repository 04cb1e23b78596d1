package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A batch job runs to completion; a service job keeps {@code count} copies running. */
public enum JobType {
    @JsonProperty("batch") BATCH,
    @JsonProperty("service") SERVICE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
