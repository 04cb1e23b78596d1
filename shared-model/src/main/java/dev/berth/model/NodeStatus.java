package dev.berth.model;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum NodeStatus {
    @JsonProperty("ready") READY,
    @JsonProperty("down") DOWN,
    @JsonProperty("draining") DRAINING;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
