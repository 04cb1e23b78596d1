package dev.berth.model.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object, recording each problem with its path instead of stopping at
 * the first, so that a user sees every mistake in one answer. Unknown fields are problems too: a
 * misspelt {@code memroy} silently ignored would run a task with the default limit.
 */
final class ObjectReader {
    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;
    private final Set<String> seen = new HashSet<>();

    ObjectReader(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /** A reader over {@code node}, or null (with an error) when it is not an object. */
    static ObjectReader of(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (!node.isObject()) {
            errors.add(new FieldError(path, "must be an object, not " + kind(node)));
            return null;
        }
        return new ObjectReader(node, path, errors);
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    void error(String field, String message) {
        errors.add(new FieldError(path(field), message));
    }

    /** The raw child, marking the field as known. */
    JsonNode child(String field) {
        seen.add(field);
        JsonNode c = node.get(field);
        return c == null || c.isNull() ? null : c;
    }

    boolean has(String field) {
        return child(field) != null;
    }

    String string(String field, String fallback) {
        JsonNode c = child(field);
        if (c == null) return fallback;
        if (!c.isTextual()) {
            error(field, "must be a string, not " + kind(c));
            return fallback;
        }
        return c.asText();
    }

    String requiredString(String field) {
        String s = string(field, null);
        if (s == null && !node.has(field)) error(field, "is required");
        else if (s != null && s.isBlank()) error(field, "must not be empty");
        return s;
    }

    /** A name checked against {@code form}; a fallback (inherited from the parent) is not checked again here. */
    String name(String field, String fallback, Pattern form, String formText) {
        String s = string(field, null);
        if (s == null) return fallback;
        if (!form.matcher(s).matches()) error(field, quote(s) + " is not a valid name (" + formText + ")");
        return s;
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode c = child(field);
        if (c == null) return fallback;
        if (!c.canConvertToLong() || !(c.isIntegralNumber() || (c.isTextual() && c.asText().matches("-?\\d+")))) {
            error(field, "must be a whole number, not " + show(c));
            return fallback;
        }
        long v = c.asLong();
        if (v < min || v > max) {
            error(field, v + " is out of range " + min + "–" + max);
            return fallback;
        }
        return v;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode c = child(field);
        if (c == null) return fallback;
        if (!c.isBoolean()) {
            error(field, "must be true or false, not " + show(c));
            return fallback;
        }
        return c.asBoolean();
    }

    /** A human-unit value ("250m", "128Mi", "10s"); numbers are read as their text. */
    <T> T unit(String field, T fallback, Function<String, T> parse) {
        JsonNode c = child(field);
        if (c == null) return fallback;
        if (!c.isTextual() && !c.isNumber()) {
            error(field, "must be a string such as \"128Mi\", not " + kind(c));
            return fallback;
        }
        try {
            return parse.apply(c.asText());
        } catch (IllegalArgumentException e) {
            error(field, e.getMessage());
            return fallback;
        }
    }

    Duration duration(String field, Duration fallback, Duration max) {
        Duration d = unit(field, fallback, dev.berth.model.units.Durations::parse);
        if (d != null && d.compareTo(max) > 0) {
            error(field, quote(dev.berth.model.units.Durations.format(d)) + " is longer than the limit of " + dev.berth.model.units.Durations.format(max));
            return fallback;
        }
        return d;
    }

    <E extends Enum<E>> E choice(String field, E fallback, Class<E> type) {
        String s = string(field, null);
        if (s == null) return fallback;
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s)) return e;
        }
        var allowed = new ArrayList<String>();
        for (E e : type.getEnumConstants()) allowed.add(e.name().toLowerCase(java.util.Locale.ROOT));
        error(field, quote(s) + " is not one of " + String.join(", ", allowed));
        return fallback;
    }

    /** Each element of an array field read by {@code item}; a missing field gives an empty list. */
    <T> List<T> list(String field, ItemReader<T> item) {
        JsonNode c = child(field);
        var out = new ArrayList<T>();
        if (c == null) return out;
        if (!c.isArray()) {
            error(field, "must be a list, not " + kind(c));
            return out;
        }
        for (int i = 0; i < c.size(); i++) {
            T v = item.read(c.get(i), path(field) + "[" + i + "]", errors);
            if (v != null) out.add(v);
        }
        return out;
    }

    List<String> strings(String field) {
        return list(field, (n, p, errs) -> {
            if (n.isTextual() || n.isNumber() || n.isBoolean()) return n.asText();
            errs.add(new FieldError(p, "must be a string, not " + kind(n)));
            return null;
        });
    }

    /** An object of name → value, each value read by {@code value}. */
    <T> Map<String, T> map(String field, ItemReader<T> value) {
        JsonNode c = child(field);
        var out = new LinkedHashMap<String, T>();
        if (c == null) return out;
        if (!c.isObject()) {
            error(field, "must be an object of name: value, not " + kind(c));
            return out;
        }
        c.properties().forEach(e -> {
            T v = value.read(e.getValue(), path(field) + "." + e.getKey(), errors);
            if (v != null) out.put(e.getKey(), v);
        });
        return out;
    }

    /** Records an error for each field of the object that no one asked for. */
    void rejectUnknown() {
        node.fieldNames().forEachRemaining(f -> {
            if (!seen.contains(f)) error(f, "is not a known field");
        });
    }

    @FunctionalInterface
    interface ItemReader<T> {
        T read(JsonNode node, String path, List<FieldError> errors);
    }

    static String kind(JsonNode n) {
        if (n.isTextual()) return "a string";
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "a boolean";
        if (n.isArray()) return "a list";
        if (n.isObject()) return "an object";
        return "null";
    }

    static String show(JsonNode n) {
        return n.isTextual() ? quote(n.asText()) : n.isValueNode() ? n.asText() : kind(n);
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }
}
