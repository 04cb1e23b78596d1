package dev.berth.scheduler.batch;

import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.Parameterized;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dispatch of a parameterized job, as asked: {@code {"meta": {k: v}, "payload": "<base64>",
 * "idempotencyToken": "…"}}, checked against the job's rules. Pure.
 */
public record Dispatch(Map<String, String> meta, String payload, String idempotencyToken) {
    public static final int MAX_PAYLOAD = 16 * 1024;
    static final int MAX_TOKEN = 128;

    /** A dispatch, or every problem with it at its field path. */
    public static Object read(Parameterized rules, JsonObject body) {
        var errors = new ArrayList<FieldError>();
        var meta = new TreeMap<String, String>();
        Object metaNode = body.getValue("meta");
        if (metaNode != null && !(metaNode instanceof JsonObject)) errors.add(new FieldError("meta", "must be an object of keys and string values"));
        if (metaNode instanceof JsonObject m) {
            for (String k : m.fieldNames()) {
                Object v = m.getValue(k);
                if (!rules.metaRequired().contains(k) && !rules.metaOptional().contains(k)) {
                    errors.add(new FieldError("meta." + k, "is not a key this job takes (required: " + rules.metaRequired() + ", optional: " + rules.metaOptional() + ")"));
                } else if (!(v instanceof String s)) {
                    errors.add(new FieldError("meta." + k, "must be a string"));
                } else if (s.indexOf('\0') >= 0) {
                    errors.add(new FieldError("meta." + k, "must not contain a NUL character"));
                } else {
                    meta.put(k, s);
                }
            }
        }
        // a key given with a bad value has its own error already
        JsonObject given = metaNode instanceof JsonObject m ? m : new JsonObject();
        for (String k : rules.metaRequired()) if (!given.containsKey(k)) errors.add(new FieldError("meta." + k, "is required"));
        Object payloadNode = body.getValue("payload");
        String payload = null;
        if (payloadNode != null && !(payloadNode instanceof String)) errors.add(new FieldError("payload", "must be a base64 string"));
        else if (payloadNode instanceof String text) {
            try {
                byte[] bytes = Base64.getDecoder().decode(text);
                if (bytes.length > MAX_PAYLOAD) errors.add(new FieldError("payload", bytes.length + " bytes is more than the limit of " + MAX_PAYLOAD));
                payload = text;
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("payload", "is not base64: " + e.getMessage()));
            }
        }
        if (rules.payload() == Parameterized.Payload.REQUIRED && payloadNode == null) errors.add(new FieldError("payload", "is required by this job"));
        if (rules.payload() == Parameterized.Payload.FORBIDDEN && payloadNode != null) errors.add(new FieldError("payload", "this job takes no payload"));
        Object tokenNode = body.getValue("idempotencyToken");
        String token = null;
        if (tokenNode != null && !(tokenNode instanceof String t && !t.isBlank() && t.length() <= MAX_TOKEN)) {
            errors.add(new FieldError("idempotencyToken", "must be a string of 1 to " + MAX_TOKEN + " characters"));
        } else {
            token = (String) tokenNode;
        }
        for (String k : body.fieldNames()) {
            if (!List.of("meta", "payload", "idempotencyToken").contains(k)) errors.add(new FieldError(k, "is not a field of a dispatch (meta, payload, idempotencyToken)"));
        }
        return errors.isEmpty() ? new Dispatch(meta, payload, token) : errors;
    }

    /** What the child's tasks see: BERTH_META_<KEY> for each meta key. */
    public Map<String, String> env() {
        var env = new TreeMap<String, String>();
        meta.forEach((k, v) -> env.put("BERTH_META_" + k.toUpperCase(Locale.ROOT), v));
        return env;
    }
}
