package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.units.Durations;
import dev.berth.scheduler.placement.TimedSimulation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workload for {@code berth sim --workload}: queues, and jobs with when they arrive and how long
 * their tasks run. Every problem is reported with its path, and nothing runs until all are fixed.
 *
 * <pre>
 * queues:
 *   team-a: {weight: 2}
 *   team-b: {weight: 1, quota: {cpu: "8"}, borrow: true}
 * passEvery: 1s        # the scheduler's tick
 * shareHalfLife: 24h
 * sampleEvery: 1m      # width of one utilisation sample
 * horizon: 8h          # optional: stop then (needed when services run)
 * jobs:
 *   - submitAt: 0s
 *     duration: 2s     # how long each instance runs (batch); or durations: {group: 2s}
 *     repeat: 10       # optional: this job 10 times, every 30s
 *     every: 30s
 *     spec: {name: a, queue: team-a, groups: [...]}   # as for POST /v1/jobs
 * </pre>
 */
record SimWorkload(Map<String, QueueSpec> queues, List<TimedSimulation.SimJob> jobs, TimedSimulation.Settings settings) {
    private static final Set<String> TOP = Set.of("queues", "jobs", "passEvery", "shareHalfLife", "sampleEvery", "horizon");
    private static final Set<String> JOB = Set.of("submitAt", "duration", "durations", "repeat", "every", "spec");

    static SimWorkload read(Path file, List<FieldError> errors) throws java.io.IOException {
        String text = Files.readString(file);
        JsonNode root = (file.toString().endsWith(".json") ? Json.mapper() : Json.yaml()).readTree(text);
        if (root == null || !root.isObject()) {
            errors.add(new FieldError("", "a workload is an object with queues and jobs"));
            return null;
        }
        root.fieldNames().forEachRemaining(f -> {
            if (!TOP.contains(f)) errors.add(new FieldError(f, "is not a known field (" + String.join(", ", new java.util.TreeSet<>(TOP)) + ")"));
        });
        var queues = new LinkedHashMap<String, QueueSpec>();
        root.path("queues").properties().forEach(e -> {
            var errs = new ArrayList<FieldError>();
            var q = QueueSpec.read(e.getKey(), e.getValue(), null, errs);
            errs.forEach(x -> errors.add(new FieldError("queues." + e.getKey() + (x.path().isEmpty() ? "" : "." + x.path()), x.message())));
            if (q != null) queues.put(q.name(), q);
        });
        var d = TimedSimulation.Settings.defaults();
        var settings = new TimedSimulation.Settings(duration(root, "passEvery", d.passEvery(), errors), duration(root, "shareHalfLife", d.halfLife(), errors),
                duration(root, "sampleEvery", d.sampleEvery(), errors), duration(root, "horizon", null, errors));
        var jobs = new ArrayList<TimedSimulation.SimJob>();
        JsonNode list = root.path("jobs");
        if (!list.isArray() || list.isEmpty()) errors.add(new FieldError("jobs", "must be a list of at least one job"));
        for (int i = 0; i < list.size(); i++) {
            JsonNode j = list.get(i);
            String at = "jobs[" + i + "]";
            if (!j.isObject()) {
                errors.add(new FieldError(at, "must be an object with submitAt, duration and spec"));
                continue;
            }
            j.fieldNames().forEachRemaining(f -> {
                if (!JOB.contains(f)) errors.add(new FieldError(at + "." + f, "is not a known field (" + String.join(", ", new java.util.TreeSet<>(JOB)) + ")"));
            });
            Duration submitAt = duration(j, "submitAt", Duration.ZERO, errors, at);
            Duration every = duration(j, "every", Duration.ZERO, errors, at);
            int repeat = j.path("repeat").asInt(1);
            if (repeat < 1 || repeat > 1_000_000) errors.add(new FieldError(at + ".repeat", repeat + " is out of range 1–1000000"));
            var result = SpecReader.read(j.path("spec"));
            if (j.path("spec").isMissingNode()) {
                errors.add(new FieldError(at + ".spec", "is required: the job as for POST /v1/jobs"));
                continue;
            }
            if (result instanceof SpecResult.Invalid inv) {
                inv.errors().forEach(x -> errors.add(new FieldError(at + ".spec" + (x.path().isEmpty() ? "" : "." + x.path()), x.message())));
                continue;
            }
            var spec = ((SpecResult.Valid) result).spec();
            if (!spec.queue().equals(dev.berth.model.spec.JobSpec.DEFAULT_QUEUE) && !queues.containsKey(spec.queue())) {
                errors.add(new FieldError(at + ".spec.queue", "no queue named \"" + spec.queue() + "\" in queues"));
            }
            var durations = new LinkedHashMap<String, Duration>();
            Duration all = duration(j, "duration", null, errors, at);
            for (var g : spec.groups()) if (all != null) durations.put(g.name(), all);
            j.path("durations").properties().forEach(e -> {
                if (spec.groups().stream().noneMatch(g -> g.name().equals(e.getKey()))) {
                    errors.add(new FieldError(at + ".durations." + e.getKey(), "the job has no group \"" + e.getKey() + "\""));
                } else {
                    Duration g = duration(j.path("durations"), e.getKey(), null, errors, at + ".durations");
                    if (g != null) durations.put(e.getKey(), g);
                }
            });
            if (spec.type() == dev.berth.model.spec.JobType.BATCH && durations.size() < spec.groups().size()) {
                errors.add(new FieldError(at + ".duration", "a batch job's tasks need a duration (duration, or durations per group)"));
            }
            for (int k = 0; k < repeat; k++) jobs.add(new TimedSimulation.SimJob(spec, submitAt.plus(every.multipliedBy(k)), durations));
        }
        if (!errors.isEmpty()) return null;
        return new SimWorkload(queues, jobs, settings);
    }

    private static Duration duration(JsonNode node, String field, Duration fallback, List<FieldError> errors) {
        return duration(node, field, fallback, errors, "");
    }

    private static Duration duration(JsonNode node, String field, Duration fallback, List<FieldError> errors, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        try {
            return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(at.isEmpty() ? field : at + "." + field, e.getMessage()));
            return fallback;
        }
    }
}
