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
        description = "Place jobs on a described cluster with the real placement core, without executors.")
final class SimCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "CLUSTER.json",
            description = "{\"nodes\": [{\"id\": \"n1\", \"resources\": {\"cpu\": \"64\", \"memory\": \"256Gi\", \"extended\": {\"gpu\": 8}}, \"labels\": {\"zone\": \"a\"}}]}")
    Path cluster;

    @Option(names = "--jobs", required = true, arity = "1..*", paramLabel = "JOB", description = "job specs, JSON or YAML, as for POST /v1/jobs")
    List<Path> jobs;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var nodes = readCluster(cluster);
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
