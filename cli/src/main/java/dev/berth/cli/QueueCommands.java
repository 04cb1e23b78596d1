package dev.berth.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "queue", description = "Queues that teams share the cluster through: weight, quota, borrowing, and who waits why.",
        mixinStandardHelpOptions = true, subcommands = {QueueCommands.Set.class, QueueCommands.ListQueues.class, QueueCommands.Status.class, QueueCommands.Delete.class})
final class QueueCommands {

    @Command(name = "set", description = "Make a queue or change it; what is not given stays as it was.")
    static final class Set implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--weight", paramLabel = "W", description = "its weight in the fair share (default 1)") Double weight;
        @Option(names = "--cpu", paramLabel = "CPU", description = "quota: the most cpu its running work may hold, e.g. 16 or 500m") String cpu;
        @Option(names = "--memory", paramLabel = "SIZE", description = "quota: the most memory, e.g. 64Gi") String memory;
        @Option(names = "--extended", paramLabel = "NAME=N", description = "quota of an extended resource, e.g. gpu=2 (repeatable)") Map<String, Long> extended;
        @Option(names = "--no-quota", description = "remove the quota") boolean noQuota;
        @Option(names = "--borrow", negatable = true, description = "may use idle room beyond its quota (reclaimed by preemption when owners need it)") Boolean borrow;

        @Override
        public Integer call() throws Exception {
            var client = api.client();
            JsonObject body = new JsonObject();
            try {
                var current = new JsonObject(client.get("/v1/queues/" + name));
                if (current.getBoolean("configured", false)) {
                    body.put("weight", current.getValue("weight")).put("borrow", current.getBoolean("borrow"));
                    if (current.containsKey("quota")) body.put("quota", current.getJsonObject("quota"));
                }
            } catch (dev.berth.cli.client.ApiException e) {
                if (e.status != 404) throw e;
            }
            if (weight != null) body.put("weight", weight);
            if (borrow != null) body.put("borrow", borrow);
            if (noQuota) body.remove("quota");
            if (cpu != null || memory != null || extended != null) {
                var quota = noQuota || !body.containsKey("quota") ? new JsonObject() : body.getJsonObject("quota");
                if (cpu != null) quota.put("cpu", cpu);
                if (memory != null) quota.put("memory", memory);
                if (extended != null) {
                    var ext = quota.getJsonObject("extended", new JsonObject());
                    extended.forEach(ext::put);
                    quota.put("extended", ext);
                }
                body.put("quota", quota);
            }
            var q = new JsonObject(client.put("/v1/queues/" + name, body.encode()));
            spec.commandLine().getOut().printf("Queue %s: weight %s, %s%s%n", q.getString("name"), weight(q.getValue("weight")),
                    q.containsKey("quota") ? "quota " + quota(q.getJsonObject("quota")) : "no quota",
                    q.getBoolean("borrow", false) ? ", borrows idle room" : "");
            return 0;
        }
    }

    @Command(name = "list", description = "Every queue: weight, quota, what it holds, its fair-share factor, running and waiting work.")
    static final class ListQueues implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/queues");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new Tables("NAME", "WEIGHT", "QUOTA", "BORROW", "HELD", "SHARE", "RUNNING", "WAITING");
            var list = new JsonArray(body);
            for (int i = 0; i < list.size(); i++) {
                var q = list.getJsonObject(i);
                t.row(q.getString("name"), weight(q.getValue("weight")), q.containsKey("quota") ? quota(q.getJsonObject("quota")) : "-",
                        q.getBoolean("borrow") ? "yes" : "no", quota(q.getJsonObject("held")), String.format(java.util.Locale.ROOT, "%.3f", q.getDouble("share")),
                        q.getInteger("running"), q.getInteger("waiting"));
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "status", description = "One queue: what it holds against its quota, and its waiting work in the order the next pass takes it, with why each waits.")
    static final class Status implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/queues/" + name);
            PrintWriter out = spec.commandLine().getOut();
            if (api.printedJson(out, body)) return 0;
            var q = new JsonObject(body);
            out.printf("Queue      %s%n", q.getString("name"));
            out.printf("Weight     %s%n", weight(q.getValue("weight")));
            out.printf("Quota      %s%s%n", q.containsKey("quota") ? quota(q.getJsonObject("quota")) : "none",
                    q.getBoolean("borrow") ? " (borrows idle room beyond it)" : "");
            out.printf("Holds      %s%s%n", quota(q.getJsonObject("held")), q.getBoolean("overQuota", false) ? " — beyond its quota, borrowed" : "");
            out.printf("Share      %.3f (dominant share now %.3f + recent %.3f, / weight %s)%n", q.getDouble("share"), q.getDouble("dominantShare"),
                    q.getDouble("recentShare"), weight(q.getValue("weight")));
            out.printf("Running    %d allocation(s); waiting %d instance(s)%n", q.getInteger("running"), q.getInteger("waiting"));
            var work = q.getJsonArray("waitingWork", new JsonArray());
            if (work.isEmpty()) return 0;
            out.println();
            var t = new Tables("POS", "JOB", "GROUP", "INSTANCES", "PRIORITY", "SUBMITTED", "NEXT PASS", "WAITS");
            for (int i = 0; i < work.size(); i++) {
                var w = work.getJsonObject(i);
                t.row(w.getInteger("position"), w.getString("job"), w.getString("group"), w.getInteger("instances"), w.getInteger("priority"),
                        w.getString("submittedAt"), w.getInteger("placeableNow") + (w.containsKey("wouldPreempt") ? " (preempts " + w.getLong("wouldPreempt") + ")" : ""),
                        w.getString("waits"));
            }
            t.print(out);
            return 0;
        }
    }

    @Command(name = "delete", description = "Remove a queue no job with work names (default goes back to weight 1 and no quota).")
    static final class Delete implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            api.client().delete("/v1/queues/" + name);
            spec.commandLine().getOut().printf("Queue %s removed%n", name);
            return 0;
        }
    }

    static String weight(Object w) {
        double d = ((Number) w).doubleValue();
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String quota(JsonObject q) {
        var parts = new java.util.ArrayList<String>();
        if (q.containsKey("cpu")) parts.add("cpu " + q.getString("cpu"));
        if (q.containsKey("memory")) parts.add("memory " + q.getString("memory"));
        q.getJsonObject("extended", new JsonObject()).forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }
}
