package dev.berth.scheduler.acl;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a token may do. Each policy holds every right of the ones before it: {@code read} every
 * GET, {@code submit} also jobs, {@code operate} also nodes and queues, {@code admin} also tokens.
 */
public enum Policy {
    READ, SUBMIT, OPERATE, ADMIN;

    public boolean allows(Policy needed) {
        return ordinal() >= needed.ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy of this name, or an IllegalArgumentException that lists the names there are. */
    public static Policy of(String name) {
        for (Policy p : values()) {
            if (p.label().equals(name)) return p;
        }
        throw new IllegalArgumentException("policy: \"" + name + "\" is not one of "
                + Arrays.stream(values()).map(Policy::label).collect(Collectors.joining(", ")));
    }
}
