package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum AllocationStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("complete") COMPLETE,
    @JsonProperty("failed") FAILED,
    @JsonProperty("lost") LOST,
    /** Stopped to make room for work of a much higher priority, or for a queue taking back its quota; replaced at once. */
    @JsonProperty("preempted") PREEMPTED;

    public boolean terminal() {
        return this != PENDING && this != RUNNING;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
