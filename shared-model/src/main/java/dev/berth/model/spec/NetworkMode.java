package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum NetworkMode {
    /** Own network namespace with a veth on the node's bridge. */
    @JsonProperty("bridge") BRIDGE,
    /** Own network namespace with only {@code lo}. */
    @JsonProperty("none") NONE,
    /** The node's own network; the node must allow it. */
    @JsonProperty("host") HOST;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
