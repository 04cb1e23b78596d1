package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.scheduler.placement.Candidate;
import dev.berth.scheduler.placement.Simulation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Place jobs on a described cluster with the real placement core, without executors:",
                "once (--jobs), or over time (--workload: arrivals, durations, queues, priorities, preemption)."})
final class SimCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "CLUSTER.json",
            description = "{\"nodes\": [{\"id\": \"n1\", \"resources\": {\"cpu\": \"64\", \"memory\": \"256Gi\", \"extended\": {\"gpu\": 8}}, \"labels\": {\"zone\": \"a\"}}]}")
    Path cluster;

    @Option(names = "--jobs", arity = "1..*", paramLabel = "JOB", description = "job specs, JSON or YAML, as for POST /v1/jobs: placed once")
    List<Path> jobs;

    @Option(names = "--workload", paramLabel = "WORKLOAD.yaml", description = "queues and jobs with submitAt and duration: simulated over time")
    Path workload;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var nodes = readCluster(cluster);
        if ((jobs == null) == (workload == null)) {
            spec.commandLine().getErr().println("give --jobs (placed once) or --workload (simulated over time), one of them");
            return 2;
        }
        if (workload != null) return timed(nodes);
        var specs = new ArrayList<JobSpec>();
        for (Path p : jobs) {
            String text = Files.readString(p);
            switch (SpecReader.read(text, JobCommands.Run.contentType(p, text))) {
                case SpecResult.Valid v -> specs.add(v.spec());
                case SpecResult.Invalid inv -> {
                    for (FieldError e : inv.errors()) spec.commandLine().getErr().println(p + ": " + e);
                    return 1;
                }
            }
        }
        var r = Simulation.run(nodes, specs);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var o = new LinkedHashMap<String, Object>();
            o.put("placed", r.placed());
            o.put("unplaced", r.unplaced());
            o.put("nodesUsed", r.nodesUsed());
            o.put("elapsedMs", Math.round(r.elapsedMs() * 100) / 100.0);
            o.put("placementsPerSecond", Math.round(r.placementsPerSecond()));
            o.put("failures", r.failures());
            out.println(Json.write(o));
        } else {
            out.printf("Placed %d task(s) on %d of %d node(s) in %.1f ms (%,.0f placements/s); %d could not be placed%n",
                    r.placed(), r.nodesUsed(), nodes.size(), r.elapsedMs(), r.placementsPerSecond(), r.unplaced());
            r.plan().failed().forEach((key, f) -> out.printf("  %s: %d instance(s) unplaced: %s%n", key.replaceFirst("#\\d+", ""), f.count(), f.explain()));
        }
        return 0;
    }

    private int timed(List<Candidate> nodes) throws Exception {
        var errors = new ArrayList<FieldError>();
        var w = SimWorkload.read(workload, errors);
        if (w == null) {
            for (FieldError e : errors) spec.commandLine().getErr().println(workload + ": " + e);
            return 1;
        }
        var r = dev.berth.scheduler.placement.TimedSimulation.run(nodes, w.queues(), w.jobs(), w.settings());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
            return 0;
        }
        double contended = r.queues().values().stream().mapToDouble(q -> q.contendedCpuSeconds()).sum();
        out.printf("Simulated %s in %.1f ms: %d pass(es), %d placement(s), %d task(s) not done at the end%n",
                dev.berth.model.units.Durations.format(java.time.Duration.ofMillis(Math.round(r.simulatedSeconds() * 1000))), r.elapsedMs(),
                r.passes(), r.placed(), r.unfinished());
        var t = new Tables("QUEUE", "WEIGHT", "CPU-SECONDS", "SHARE", "SHARE WHILE CONTENDED", "WAIT P50", "WAIT P95", "WAIT P99", "STARTED", "DONE", "PREEMPTED");
        for (var q : r.queues().values()) {
            var qs = w.queues().getOrDefault(q.queue(), dev.berth.model.spec.QueueSpec.implicit(q.queue()));
            t.row(q.queue(), QueueCommands.weight(qs.weight()), String.format(java.util.Locale.ROOT, "%.1f", q.cpuSeconds()),
                    String.format(java.util.Locale.ROOT, "%.1f%%", q.share() * 100),
                    contended > 0 ? String.format(java.util.Locale.ROOT, "%.1f%%", q.contendedCpuSeconds() / contended * 100) : "-",
                    seconds(q.waitP50()), seconds(q.waitP95()), seconds(q.waitP99()), q.started(), q.completed(), q.preemptions());
        }
        t.print(out);
        var util = new StringBuilder();
        double[] u = r.utilisation();
        int step = Math.max(1, u.length / 24);
        for (int i = 0; i < u.length; i += step) {
            util.append(String.format(java.util.Locale.ROOT, " %s:%.0f%%", dev.berth.model.units.Durations.format(
                    java.time.Duration.ofMillis(Math.round(i * r.sampleSeconds() * 1000))), u[i] * 100));
        }
        out.printf("Cluster cpu allocated over time (every %s):%s; mean %.1f%%%n",
                dev.berth.model.units.Durations.format(java.time.Duration.ofMillis(Math.round(step * r.sampleSeconds() * 1000))), util, r.meanUtilisation() * 100);
        return 0;
    }

    private static String seconds(double s) {
        return s < 10 ? String.format(java.util.Locale.ROOT, "%.1fs", s) : dev.berth.model.units.Durations.format(java.time.Duration.ofSeconds(Math.round(s)));
    }

    static List<Candidate> readCluster(Path file) throws Exception {
        JsonNode root = Json.mapper().readTree(file.toFile());
        if (!root.path("nodes").isArray()) throw new IllegalArgumentException(file + ": nodes: must be a list");
        var nodes = new ArrayList<Candidate>();
        int i = 0;
        for (JsonNode n : root.path("nodes")) {
            String where = file + ": nodes[" + i++ + "]";
            String id = n.path("id").asText(null);
            if (id == null || id.isBlank()) throw new IllegalArgumentException(where + ".id: is required");
            JsonNode r = n.path("resources");
            try {
                var extended = new HashMap<String, Long>();
                r.path("extended").properties().forEach(e -> extended.put(e.getKey(), e.getValue().asLong()));
                var capacity = new Resources(Cpu.parse(r.path("cpu").asText()), ByteSize.parse(r.path("memory").asText()),
                        r.path("pids").asLong(0), IoLimits.UNLIMITED, extended);
                var labels = new HashMap<String, String>();
                n.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                var attributes = new HashMap<String, String>();
                n.path("attributes").properties().forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
                nodes.add(new Candidate(id, capacity, Resources.NONE, Set.of(), labels, attributes, !n.path("draining").asBoolean(false)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".resources: " + e.getMessage());
            }
        }
        return nodes;
    }

}
