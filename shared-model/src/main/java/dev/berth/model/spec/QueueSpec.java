package dev.berth.model.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A queue that teams submit to: its {@code weight} in the fair share, and an optional {@code quota}
 * of what its running work may hold at once. With {@code borrow}, work beyond the quota may use
 * idle room, and is the first to be preempted when a queue under its own quota needs that room
 * (Kueue's borrowing within a cohort, here one cohort per cluster). Without a quota a queue has no
 * guaranteed room, only its share.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueSpec(String name, double weight, Quota quota, boolean borrow, Instant modifiedAt) {
    public static final double MAX_WEIGHT = 1000;

    /** The queue a job names without it being set up: weight 1, no quota. */
    public static QueueSpec implicit(String name) {
        return new QueueSpec(name, 1, null, false, null);
    }

    /** The most a queue may hold; a null amount does not limit. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quota(Cpu cpu, ByteSize memory, Map<String, Long> extended) {
        public Quota {
            extended = extended == null ? Map.of() : Map.copyOf(extended);
        }
    }

    /**
     * Reads the body of {@code PUT /v1/queues/{name}}: {@code {"weight": 2, "quota": {"cpu": "16",
     * "memory": "64Gi", "extended": {"gpu": 2}}, "borrow": true}}. Returns null with the problems in
     * {@code errors} when it is not valid.
     */
    public static QueueSpec read(String name, JsonNode body, Instant now, List<FieldError> errors) {
        if (name == null || !SpecReader.NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", ObjectReader.quote(String.valueOf(name)) + " is not a valid queue name (letters, digits, '.', '_' or '-', at most 63)"));
        }
        var r = ObjectReader.of(body, "", errors);
        if (r == null) {
            if (body == null || body.isNull() || body.isMissingNode()) errors.add(new FieldError("", "a queue needs a JSON object body, e.g. {\"weight\": 1}"));
            return null;
        }
        double weight = 1;
        JsonNode w = r.child("weight");
        if (w != null) {
            if (!w.isNumber()) r.error("weight", "must be a number, not " + ObjectReader.kind(w));
            else if (!(w.asDouble() > 0) || w.asDouble() > MAX_WEIGHT) {
                double v = w.asDouble();
                r.error("weight", (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)) + " is out of range: more than 0, at most " + (int) MAX_WEIGHT);
            }
            else weight = w.asDouble();
        }
        Quota quota = quota(r.child("quota"), r.path("quota"), errors);
        boolean borrow = r.bool("borrow", false);
        r.rejectUnknown();
        return errors.isEmpty() ? new QueueSpec(name, weight, quota, borrow, now) : null;
    }

    private static Quota quota(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        Cpu cpu = r.unit("cpu", null, Cpu::parse);
        ByteSize memory = r.unit("memory", null, ByteSize::parse);
        var extended = r.map("extended", (n, p, errs) -> {
            if (n.isIntegralNumber() && n.asLong() >= 0) return n.asLong();
            errs.add(new FieldError(p, "must be a whole number of at least 0, not " + ObjectReader.show(n)));
            return null;
        });
        r.rejectUnknown();
        if (cpu == null && memory == null && extended.isEmpty()) {
            errors.add(new FieldError(path, "names no resource: give cpu, memory or extended, or leave the quota out"));
            return null;
        }
        return new Quota(cpu, memory, extended);
    }
}
