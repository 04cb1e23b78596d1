package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum AllocationStatus {
    @JsonProperty("pending") PENDING,
    @JsonProperty("running") RUNNING,
    @JsonProperty("complete") COMPLETE,
    @JsonProperty("failed") FAILED,
    @JsonProperty("lost") LOST;

    public boolean terminal() {
        return this == COMPLETE || this == FAILED || this == LOST;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
