package dev.berth.model.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.codec.Json;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a submitted document (JSON or YAML) into a {@link JobSpec} with every default filled, or
 * into the full list of problems, each with its field path. Defaults are chosen so that a spec of
 * a name, an image and a command runs.
 */
public final class SpecReader {
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}");
    private static final String NAME_RULE = "letters, digits, '.', '_' or '-', at most 63, starting with a letter or digit";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern USER = Pattern.compile("\\d+(:\\d+)?|[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?");

    public static final Cpu DEFAULT_CPU = Cpu.ofMillis(100);
    public static final ByteSize DEFAULT_MEMORY = ByteSize.mebibytes(128);
    public static final long DEFAULT_PIDS = 1024;
    public static final Duration DEFAULT_KILL_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_COUNT = 10_000;
    private static final ByteSize MIN_MEMORY = ByteSize.mebibytes(4);
    private static final Duration MAX_KILL_TIMEOUT = Duration.ofHours(1);
    private static final Duration MAX_POLICY_DURATION = Duration.ofDays(30);
    private static final Duration MAX_DEADLINE = Duration.ofDays(30);

    private SpecReader() {
    }

    /** Reads YAML when the content type says so ({@code application/yaml}, {@code text/yaml}), else JSON. */
    public static SpecResult read(String body, String contentType) {
        if (body == null || body.isBlank()) {
            return new SpecResult.Invalid(List.of(new FieldError("", "the request body is empty: send a job spec as JSON or YAML")));
        }
        boolean yaml = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("yaml");
        JsonNode root;
        try {
            root = yaml ? Json.yaml().readTree(body) : Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return new SpecResult.Invalid(List.of(new FieldError("", "not valid " + (yaml ? "YAML" : "JSON") + where + ": " + e.getOriginalMessage())));
        }
        return read(root);
    }

    public static SpecResult read(JsonNode root) {
        var errors = new ArrayList<FieldError>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new SpecResult.Invalid(List.of(new FieldError("", "the document is empty")));
        }
        noNul(root, "", errors);
        if (!errors.isEmpty()) return new SpecResult.Invalid(errors);
        var job = ObjectReader.of(root, "", errors);
        if (job == null) return new SpecResult.Invalid(errors);
        JobSpec spec = job(job, errors);
        return errors.isEmpty() ? new SpecResult.Valid(spec) : new SpecResult.Invalid(errors);
    }

    /**
     * The one place NUL is refused, in every string and every key: no field of a spec may carry one
     * to a node (a path, a name, an argument), where C would read it as the end of the string.
     */
    private static void noNul(JsonNode node, String path, List<FieldError> errors) {
        if (node.isTextual() && node.asText().indexOf('\0') >= 0) errors.add(new FieldError(path, "must not contain a NUL character"));
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) noNul(node.get(i), path + "[" + i + "]", errors);
        } else if (node.isObject()) {
            node.properties().forEach(e -> {
                String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getKey().indexOf('\0') >= 0) errors.add(new FieldError(at.replace("\0", "\\0"), "the key must not contain a NUL character"));
                noNul(e.getValue(), at, errors);
            });
        }
    }

    private static JobSpec job(ObjectReader r, List<FieldError> errors) {
        String name = r.name("name", null, NAME, NAME_RULE);
        if (!r.has("name")) r.error("name", "is required");
        JobType type = r.choice("type", JobType.BATCH, JobType.class);
        int priority = (int) r.integer("priority", 50, 1, 100);
        JsonNode groupsNode = r.child("groups");
        int groupCount = groupsNode != null && groupsNode.isArray() ? groupsNode.size() : 0;
        var groups = r.list("groups", (n, p, errs) -> group(n, p, errs, name, type, groupCount == 1));
        if (groupsNode == null) r.error("groups", "is required: a job needs at least one group");
        else if (groupsNode.isArray() && groupsNode.isEmpty()) r.error("groups", "must have at least one group");
        uniqueNames(groups.stream().map(GroupSpec::name).toList(), r.path("groups"), errors);
        var dependsOn = r.list("dependsOn", SpecReader::dependency);
        var periodic = periodic(r.child("periodic"), r.path("periodic"), errors);
        var parameterized = parameterized(r.child("parameterized"), r.path("parameterized"), errors);
        if (periodic != null && parameterized != null) r.error("parameterized", "a job is periodic or parameterized, not both");
        String queue = r.name("queue", JobSpec.DEFAULT_QUEUE, NAME, NAME_RULE);
        boolean preemptible = r.bool("preemptible", true);
        r.rejectUnknown();
        return new JobSpec(name, type, priority, groups, dependsOn, periodic, parameterized, queue, preemptible);
    }

    private static Periodic periodic(JsonNode node, String path, List<FieldError> errors) {
        if (node == null) return null;
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String cron = r.requiredString("cron");
        if (cron != null) {
            String problem = Periodic.check(cron);
            if (problem != null) r.error("cron", problem);
        }
        String zone = r.string("timeZone", "UTC");
        try {
            java.time.ZoneId.of(zone);
        } catch (java.time.DateTimeException e) {
            r.error("timeZone", "\"" + zone + "\" is not a time zone (e.g. UTC, Europe/Berlin)");
        }
        var overlap = r.choice("overlap", Periodic.Overlap.ALLOW, Periodic.Overlap.class);
        boolean enabled = r.bool("enabled", true);
        r.rejectUnknown();
        return new Periodic(cron, zone, overlap, enabled);
    }

    private static final Pattern META_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private static Parameterized parameterized(JsonNode node, String path, List<FieldError> errors) {
        if (node == null) return null;
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        var payload = r.choice("payload", Parameterized.Payload.OPTIONAL, Parameterized.Payload.class);
        var required = r.strings("metaRequired");
        var optional = r.strings("metaOptional");
        for (String field : List.of("metaRequired", "metaOptional")) {
            var keys = field.equals("metaRequired") ? required : optional;
            for (int i = 0; i < keys.size(); i++) {
                if (!META_KEY.matcher(keys.get(i)).matches()) r.error(field + "[" + i + "]", "\"" + keys.get(i) + "\" is not a key (letters, digits and _, starting with a letter)");
            }
        }
        for (String k : required) if (optional.contains(k)) r.error("metaOptional", "\"" + k + "\" is required already");
        r.rejectUnknown();
        return new Parameterized(payload, required, optional);
    }

    private static JobSpec.Dependency dependency(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String job = r.requiredString("job");
        var condition = r.choice("condition", JobSpec.Dependency.Condition.SUCCESS, JobSpec.Dependency.Condition.class);
        r.rejectUnknown();
        return job == null ? null : new JobSpec.Dependency(job, condition);
    }

    private static GroupSpec group(JsonNode node, String path, List<FieldError> errors, String jobName, JobType type, boolean only) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) {
            if (node == null || node.isNull()) errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        String name = r.name("name", only ? jobName : null, NAME, NAME_RULE);
        if (name == null && !only) r.error("name", "is required when a job has several groups");
        int count = (int) r.integer("count", 1, 0, MAX_COUNT);
        JsonNode tasksNode = r.child("tasks");
        int taskCount = tasksNode != null && tasksNode.isArray() ? tasksNode.size() : 0;
        String groupName = name;
        var tasks = r.list("tasks", (n, p, errs) -> task(n, p, errs, groupName, taskCount == 1));
        if (tasksNode == null) r.error("tasks", "is required: a group needs at least one task");
        else if (tasksNode.isArray() && tasksNode.isEmpty()) r.error("tasks", "must have at least one task");
        uniqueNames(tasks.stream().map(TaskSpec::name).toList(), r.path("tasks"), errors);
        uniqueStaticPorts(tasks, r.path("tasks"), errors);
        var constraints = r.list("constraints", SpecReader::constraint);
        var restart = restart(r.child("restart"), r.path("restart"), errors, RestartPolicy.defaultFor(type));
        var reschedule = reschedule(r.child("reschedule"), r.path("reschedule"), errors, ReschedulePolicy.defaultFor(type));
        String scoring = r.string("scoring", "binpack");
        if (!scoring.equals("binpack") && !scoring.equals("spread")) r.error("scoring", "\"" + scoring + "\" is not one of binpack, spread");
        int maxParallel = (int) r.integer("maxParallel", 0, 0, MAX_COUNT);
        boolean gang = r.bool("gang", false);
        if (gang && maxParallel > 0 && maxParallel < count) r.error("gang", "a gang places all " + count + " at once, so maxParallel " + maxParallel + " would hold it back for ever");
        r.rejectUnknown();
        return new GroupSpec(name, count, tasks, constraints, restart, reschedule, scoring, maxParallel, gang);
    }

    private static TaskSpec task(JsonNode node, String path, List<FieldError> errors, String groupName, boolean only) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String name = r.name("name", only ? groupName : null, NAME, NAME_RULE);
        if (name == null && !only) r.error("name", "is required when a group has several tasks");
        String image = r.requiredString("image");
        if (image != null && !image.isBlank()) {
            try {
                dev.berth.model.image.ImageRef.parse(image);
            } catch (IllegalArgumentException e) {
                r.error("image", e.getMessage());
            }
        }
        var command = r.strings("command");
        var env = r.map("env", (n, p, errs) -> {
            String key = p.substring(p.lastIndexOf('.') + 1);
            if (!ENV_NAME.matcher(key).matches()) errs.add(new FieldError(p, "\"" + key + "\" is not a valid variable name"));
            if (n.isValueNode() && !n.isNull()) return n.asText();
            errs.add(new FieldError(p, "must be a string, not " + ObjectReader.kind(n)));
            return null;
        });
        String workdir = r.string("workdir", null);
        if (workdir != null && !workdir.startsWith("/")) r.error("workdir", "\"" + workdir + "\" must be an absolute path");
        String user = r.string("user", null);
        if (user != null && !USER.matcher(user).matches()) r.error("user", "\"" + user + "\" is not uid[:gid] or name[:group]");
        var resources = resources(r.child("resources"), r.path("resources"), errors);
        var network = network(r.child("network"), r.path("network"), errors);
        Duration killTimeout = r.duration("killTimeout", DEFAULT_KILL_TIMEOUT, MAX_KILL_TIMEOUT);
        var volumes = r.list("volumes", SpecReader::volume);
        boolean readOnlyRootfs = r.bool("readOnlyRootfs", false);
        var capAdd = capabilities(r, "capAdd");
        var capDrop = capabilities(r, "capDrop");
        String seccomp = r.string("seccomp", "default");
        if (!seccomp.equals("default") && !seccomp.equals("unconfined")) r.error("seccomp", "\"" + seccomp + "\" is not one of default, unconfined");
        boolean userns = r.bool("userns", false);
        int dedicatedCores = (int) r.integer("dedicatedCores", 0, 0, 1024);
        Duration deadline = r.duration("deadline", null, MAX_DEADLINE);
        if (deadline != null && deadline.compareTo(Duration.ofSeconds(1)) < 0) r.error("deadline", "must be at least 1s");
        if (dedicatedCores > 0) {
            var cores = Cpu.cores(dedicatedCores);
            JsonNode cpu = node.path("resources").path("cpu");
            if (!cpu.isMissingNode() && !cpu.isNull() && !resources.cpu().equals(cores)) {
                r.error("resources.cpu", "must be " + cores + " or left out when dedicatedCores is " + dedicatedCores);
            }
            resources = new Resources(cores, resources.memory(), resources.pids(), resources.io(), resources.extended());
        }
        r.rejectUnknown();
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout,
                volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, null);
    }

    private static final Pattern CAPABILITY = Pattern.compile("(CAP_)?[A-Z_]+|ALL", Pattern.CASE_INSENSITIVE);

    private static List<String> capabilities(ObjectReader r, String field) {
        var caps = r.strings(field);
        for (int i = 0; i < caps.size(); i++) {
            if (!CAPABILITY.matcher(caps.get(i)).matches()) r.error(field + "[" + i + "]", "\"" + caps.get(i) + "\" is not a capability name");
        }
        return caps;
    }

    private static TaskSpec.Volume volume(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String source = r.requiredString("source");
        String target = r.requiredString("target");
        if (source != null && !source.startsWith("/")) r.error("source", "\"" + source + "\" must be an absolute host path");
        if (target != null && (!target.startsWith("/") || target.contains("/../") || target.endsWith("/.."))) {
            r.error("target", "\"" + target + "\" must be an absolute path without ..");
        }
        boolean readOnly = r.bool("readOnly", true);
        r.rejectUnknown();
        return new TaskSpec.Volume(source, target, readOnly);
    }

    private static Resources resources(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return new Resources(DEFAULT_CPU, DEFAULT_MEMORY, DEFAULT_PIDS, IoLimits.UNLIMITED, java.util.Map.of());
        Cpu cpu = r.unit("cpu", DEFAULT_CPU, Cpu::parse);
        if (cpu.millicores() == 0) {
            r.error("cpu", "must be more than 0");
            cpu = DEFAULT_CPU;
        }
        ByteSize memory = r.unit("memory", DEFAULT_MEMORY, ByteSize::parse);
        if (memory.compareTo(MIN_MEMORY) < 0) {
            r.error("memory", "\"" + memory + "\" is below the minimum of " + MIN_MEMORY);
            memory = DEFAULT_MEMORY;
        }
        long pids = r.integer("pids", DEFAULT_PIDS, 1, 4_194_304);
        var io = io(r.child("io"), r.path("io"), errors);
        var extended = r.map("extended", (n, p, errs) -> {
            if (n.isIntegralNumber() && n.asLong() >= 0) return n.asLong();
            errs.add(new FieldError(p, "must be a whole number of at least 0, not " + ObjectReader.show(n)));
            return null;
        });
        r.rejectUnknown();
        return new Resources(cpu, memory, pids, io, extended);
    }

    private static IoLimits io(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return IoLimits.UNLIMITED;
        var io = new IoLimits(
                r.unit("readBps", ByteSize.ZERO, ByteSize::parse),
                r.unit("writeBps", ByteSize.ZERO, ByteSize::parse),
                r.integer("readIops", 0, 0, Long.MAX_VALUE),
                r.integer("writeIops", 0, 0, Long.MAX_VALUE));
        r.rejectUnknown();
        return io;
    }

    private static NetworkSpec network(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return NetworkSpec.DEFAULT;
        var mode = r.choice("mode", NetworkMode.BRIDGE, NetworkMode.class);
        var ports = r.list("ports", SpecReader::port);
        uniqueNames(ports.stream().map(PortSpec::name).toList(), r.path("ports"), errors);
        if (mode != NetworkMode.BRIDGE && !ports.isEmpty()) {
            r.error("ports", "published ports need network mode bridge, not " + mode.wire());
        }
        r.rejectUnknown();
        return new NetworkSpec(mode, ports);
    }

    private static PortSpec port(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String name = r.name("name", null, NAME, NAME_RULE);
        if (name == null) r.error("name", "is required");
        int to = (int) r.integer("to", 0, 1, 65535);
        if (!r.has("to")) r.error("to", "is required: the port inside the container");
        Integer fixed = r.has("static") ? (int) r.integer("static", 0, 1, 65535) : null;
        String protocol = r.string("protocol", PortSpec.TCP);
        if (!protocol.equals(PortSpec.TCP) && !protocol.equals(PortSpec.UDP)) r.error("protocol", "\"" + protocol + "\" is not tcp or udp");
        r.rejectUnknown();
        return new PortSpec(name, to, fixed == null || fixed == 0 ? null : fixed, protocol);
    }

    private static Constraint constraint(JsonNode node, String path, List<FieldError> errors) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return null;
        String attribute = r.requiredString("attribute");
        String operator = r.string("operator", "=");
        if (!Constraint.OPERATORS.contains(operator)) {
            r.error("operator", "\"" + operator + "\" is not one of " + String.join(", ", new java.util.TreeSet<>(Constraint.OPERATORS)));
        }
        boolean unary = operator.equals("is_set") || operator.equals("is_not_set");
        String value = unary ? r.string("value", "") : r.requiredString("value");
        if (operator.equals("regexp") && value != null) {
            try {
                com.google.re2j.Pattern.compile(value);
            } catch (com.google.re2j.PatternSyntaxException e) {
                r.error("value", "\"" + value + "\" is not a regular expression (RE2 syntax): " + e.getDescription());
            }
        }
        r.rejectUnknown();
        return new Constraint(attribute, operator, value);
    }

    private static RestartPolicy restart(JsonNode node, String path, List<FieldError> errors, RestartPolicy d) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return d;
        var p = new RestartPolicy(
                (int) r.integer("attempts", d.attempts(), 0, 1000),
                r.duration("interval", d.interval(), MAX_POLICY_DURATION),
                r.duration("delay", d.delay(), MAX_POLICY_DURATION),
                r.choice("mode", d.mode(), RestartPolicy.Mode.class));
        r.rejectUnknown();
        return p;
    }

    private static ReschedulePolicy reschedule(JsonNode node, String path, List<FieldError> errors, ReschedulePolicy d) {
        var r = ObjectReader.of(node, path, errors);
        if (r == null) return d;
        var p = new ReschedulePolicy(
                (int) r.integer("attempts", d.attempts(), 0, 1000),
                r.duration("interval", d.interval(), MAX_POLICY_DURATION),
                r.duration("delay", d.delay(), MAX_POLICY_DURATION),
                r.choice("delayFunction", d.delayFunction(), ReschedulePolicy.DelayFunction.class),
                r.duration("maxDelay", d.maxDelay(), MAX_POLICY_DURATION),
                r.bool("unlimited", d.unlimited()));
        r.rejectUnknown();
        return p;
    }

    private static void uniqueNames(List<String> names, String path, List<FieldError> errors) {
        var seen = new HashMap<String, Integer>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n == null) continue;
            Integer first = seen.putIfAbsent(n, i);
            if (first != null) {
                errors.add(new FieldError(path + "[" + i + "].name", "\"" + n + "\" is already used by " + path + "[" + first + "]"));
            }
        }
    }

    /** Tasks of one group share a node, so a static host port may appear only once in the whole group. */
    private static void uniqueStaticPorts(List<TaskSpec> tasks, String path, List<FieldError> errors) {
        var seen = new HashSet<Integer>();
        for (int t = 0; t < tasks.size(); t++) {
            var ports = tasks.get(t).network().ports();
            for (int p = 0; p < ports.size(); p++) {
                Integer s = ports.get(p).staticPort();
                if (s != null && !seen.add(s)) {
                    errors.add(new FieldError(path + "[" + t + "].network.ports[" + p + "].static",
                            "host port " + s + " is already published by another port of this group"));
                }
            }
        }
    }
}
