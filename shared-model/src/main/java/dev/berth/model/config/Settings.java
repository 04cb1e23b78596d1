package dev.berth.model.config;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A component's settings as data: a record whose component names are the keys of its YAML file and
 * (in kebab-case) its flags. Reading lays the file over the record's defaults and the flags over the
 * file, then binds each key on its own, so that every problem — unknown keys too — is reported at
 * once with its key, as job specs are.
 */
public final class Settings {
    private static final ObjectMapper MAPPER = Json.mapper();

    private Settings() {
    }

    /** A record that can check what no single key can: combinations, ranges depending on other keys. */
    public interface Checked {
        List<FieldError> problems();
    }

    /**
     * @param file      a YAML (or JSON) file, or null
     * @param overrides keys set on the command line (camelCase), laid over the file
     * @throws SettingsException with every problem, each naming its key (and the file)
     */
    public static <R extends Record> R read(R defaults, Path file, Map<String, ?> overrides) throws SettingsException {
        var errors = new ArrayList<FieldError>();
        ObjectNode tree = MAPPER.valueToTree(defaults);
        var known = Arrays.stream(defaults.getClass().getRecordComponents()).map(RecordComponent::getName).toList();
        if (file != null) layFile(tree, file, known, errors);
        overrides.forEach((key, value) -> {
            if (!known.contains(key)) throw new IllegalArgumentException("no setting " + key + " in " + defaults.getClass().getSimpleName());
            tree.set(key, MAPPER.valueToTree(value));
        });
        var unreadable = new java.util.HashSet<String>();
        @SuppressWarnings("unchecked")
        R result = (R) bind(defaults, tree, errors, unreadable);
        // the record's own checks run even when some keys did not read (those keep their defaults), so
        // that one answer names every problem; what they say of an unreadable key is already said
        if (result instanceof Checked c) {
            for (FieldError e : c.problems()) {
                if (!unreadable.contains(e.path().split("[.\\[]")[0])) errors.add(e);
            }
        }
        if (!errors.isEmpty()) throw new SettingsException(file, errors);
        return result;
    }

    /** The record with some keys changed, checked as a file would be; for code that builds settings. */
    public static <R extends Record> R with(R base, Map<String, ?> changes) {
        try {
            return read(base, null, changes);
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@link #with(Record, Map)} from key, value, key, value… */
    public static <R extends Record> R with(R base, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("keys and values come in pairs");
        var changes = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) changes.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return with(base, changes);
    }

    private static void layFile(ObjectNode tree, Path file, List<String> known, List<FieldError> errors) {
        JsonNode doc;
        try {
            doc = Json.yaml().readTree(Files.readString(file));
        } catch (IOException e) {
            errors.add(new FieldError("", "cannot read " + file + ": " + firstLine(e.getMessage())));
            return;
        }
        if (doc == null || doc.isMissingNode() || doc.isNull()) return; // an empty file sets nothing
        if (!doc.isObject()) {
            errors.add(new FieldError("", "must be a mapping of settings, not " + doc.getNodeType().name().toLowerCase()));
            return;
        }
        doc.properties().forEach(e -> {
            if (known.contains(e.getKey())) tree.set(e.getKey(), e.getValue());
            else if (e.getValue().isObject()) nested(tree, e.getKey(), e.getValue(), known, errors);
            else errors.add(new FieldError(e.getKey(), "unknown setting" + suggestion(e.getKey(), known)));
        });
    }

    /** A mapping under an unknown key names keys by their parts: {@code network: {mode: vxlan}} is {@code networkMode}. */
    private static void nested(ObjectNode tree, String prefix, JsonNode mapping, List<String> known, List<FieldError> errors) {
        mapping.properties().forEach(e -> {
            String key = prefix + Character.toUpperCase(e.getKey().charAt(0)) + e.getKey().substring(1);
            if (known.contains(key)) tree.set(key, e.getValue());
            else errors.add(new FieldError(prefix + "." + e.getKey(), "unknown setting" + suggestion(key, known)));
        });
    }

    /** The record from the tree; a key that does not read is an error and keeps its default, named in {@code unreadable}. */
    private static Object bind(Record defaults, ObjectNode tree, List<FieldError> errors, java.util.Set<String> unreadable) {
        Class<?> type = defaults.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            JavaType target = MAPPER.getTypeFactory().constructType(c.getGenericType());
            JsonNode value = tree.get(c.getName());
            try {
                args[i] = MAPPER.treeToValue(value, target);
                if (args[i] == null && c.getType().isPrimitive()) throw new IllegalArgumentException("must be set");
            } catch (IOException | IllegalArgumentException e) {
                errors.add(new FieldError(c.getName(), e.getMessage() != null && e.getMessage().equals("must be set") ? "must be set" : explain(e, value, c.getType())));
                unreadable.add(c.getName());
                args[i] = defaultOf(defaults, c);
            }
        }
        try {
            var constructor = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            errors.add(new FieldError("", e.getCause().getMessage()));
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make " + type.getSimpleName(), e);
        }
    }

    private static Object defaultOf(Record defaults, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(defaults);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of the defaults", e);
        }
    }

    /** The reason a parser of ours gave (units, durations), else what kind of value the key takes. */
    private static String explain(Exception e, JsonNode value, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null && !t.getMessage().startsWith("Cannot")) return t.getMessage();
        }
        String shown = value == null ? "nothing" : value.isTextual() ? "\"" + value.asText() + "\"" : value.toString();
        String kind = type == int.class || type == Integer.class || type == long.class || type == Long.class ? "a whole number"
                : type == boolean.class || type == Boolean.class ? "true or false"
                : List.class.isAssignableFrom(type) ? "a list"
                : Map.class.isAssignableFrom(type) ? "a mapping of names to values"
                : "a " + type.getSimpleName().toLowerCase();
        return shown + " is not " + kind;
    }

    private static String suggestion(String key, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(key.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
