package dev.berth.model.spec;

import java.util.List;

/**
 * A job that runs when dispatched (Nomad's parameterized jobs): each dispatch is a child job with
 * its own metadata and payload.
 *
 * @param payload whether a dispatch must, may or must not carry a payload
 */
public record Parameterized(Payload payload, List<String> metaRequired, List<String> metaOptional) {
    public enum Payload { OPTIONAL, REQUIRED, FORBIDDEN;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Payload of(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public Parameterized {
        metaRequired = metaRequired == null ? List.of() : List.copyOf(metaRequired);
        metaOptional = metaOptional == null ? List.of() : List.copyOf(metaOptional);
    }
}
