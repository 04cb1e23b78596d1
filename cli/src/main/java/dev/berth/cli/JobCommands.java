package dev.berth.cli;

import dev.berth.cli.client.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

@Command(name = "job", description = "Submit, list, inspect and stop jobs.", mixinStandardHelpOptions = true,
        subcommands = {JobCommands.Run.class, JobCommands.Plan.class, JobCommands.ListJobs.class, JobCommands.Status.class, JobCommands.Stop.class,
                JobCommands.Dispatch.class, JobCommands.Force.class})
final class JobCommands {
    /** Statuses after which an allocation does not change. */
    static final java.util.Set<String> TERMINAL = java.util.Set.of("complete", "failed", "lost");

    @Command(name = "run", description = "Submit a job (JSON or YAML) and follow it until its allocations run or finish.")
    static final class Run implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "FILE", description = "the job spec, .json or .yaml") Path file;
        @Option(names = {"-d", "--detach"}, description = "print the job id and return at once") boolean detach;
        @Option(names = "--poll", defaultValue = "300", hidden = true) long pollMillis;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (!Files.isReadable(file)) throw new IllegalArgumentException("cannot read " + file);
            String text = Files.readString(file);
            var client = api.client();
            var created = new JsonObject(client.post("/v1/jobs", text, contentType(file, text)));
            String id = created.getString("id");
            if (detach) {
                out.println(id);
                return 0;
            }
            out.printf("Job %s submitted (evaluation %s)%n", id, created.getString("evaluationId"));
            out.flush();
            String type = new JsonObject(client.get("/v1/jobs/" + id)).getString("type");
            return follow(client, id, type.equals("service"), out, pollMillis);
        }

        static String contentType(Path file, String text) {
            String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (name.endsWith(".yaml") || name.endsWith(".yml")) return "application/yaml";
            if (name.endsWith(".json") || text.stripLeading().startsWith("{")) return "application/json";
            return "application/yaml";
        }

        /** Prints each allocation's changes until all run (service) or all end (batch); 0 only if none failed. */
        static int follow(ApiClient client, String id, boolean service, PrintWriter out, long pollMillis) throws IOException, InterruptedException {
            Map<String, String> seen = new HashMap<>();
            while (true) {
                var allocs = new JsonArray(client.get("/v1/jobs/" + id + "/allocations"));
                int ended = 0, running = 0, succeeded = 0;
                for (int i = 0; i < allocs.size(); i++) {
                    var a = allocs.getJsonObject(i);
                    String status = a.getString("status");
                    String line = String.format("  %s  %s[%d]/%s  %-8s  %s", a.getString("id"), a.getString("group"),
                            a.getInteger("index"), a.getString("task"), status, detail(a));
                    if (!line.equals(seen.put(a.getString("id"), line))) out.println(line);
                    if (status.equals("running")) running++;
                    if (TERMINAL.contains(status)) ended++;
                    if (status.equals("complete") && Integer.valueOf(0).equals(a.getInteger("exitCode")) && !a.getBoolean("stopRequested", false)) succeeded++;
                }
                out.flush();
                int total = allocs.size();
                if (service && total > 0 && running + ended == total) {
                    boolean ok = ended == 0;
                    out.printf("Job %s %s: %d of %d allocations running%n", id, ok ? "running" : "failed", running, total);
                    return ok ? 0 : 1;
                }
                if (!service && ended == total) {
                    boolean ok = succeeded == total;
                    out.printf("Job %s %s: %d of %d allocations succeeded%n", id, ok ? "complete" : "failed", succeeded, total);
                    return ok ? 0 : 1;
                }
                Thread.sleep(pollMillis);
            }
        }

        static String detail(JsonObject a) {
            String status = a.getString("status");
            String reason = a.getString("reason");
            return switch (status) {
                case "pending" -> reason != null ? reason : a.getString("nodeId") != null ? "starting on node " + a.getString("nodeId") : "waiting for placement";
                case "running" -> "on node " + a.getString("nodeId");
                default -> {
                    String exit = a.getInteger("signal") != null ? "signal " + a.getInteger("signal")
                            : a.getInteger("exitCode") == null ? "" : "exit code " + a.getInteger("exitCode");
                    yield reason == null ? exit : exit.isEmpty() ? reason : exit + " (" + reason + ")";
                }
            };
        }
    }

    @Command(name = "plan", description = "Dry run: where each group's instances would go now, what they would preempt, and why not. Nothing changes.")
    static final class Plan implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws Exception {
            String text = Files.readString(file);
            String body = api.client().post("/v1/jobs/plan", text, Run.contentType(file, text));
            PrintWriter out = spec.commandLine().getOut();
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var p = new JsonObject(body);
            out.printf("%d task(s) would be placed on %d node(s); %d would not%n", p.getInteger("placed"), p.getInteger("nodesUsed"), p.getInteger("unplaced"));
            var groups = p.getJsonArray("groups");
            for (int i = 0; i < groups.size(); i++) {
                var g = groups.getJsonObject(i);
                var nodes = g.getJsonArray("nodes").stream().map(Object::toString).distinct().toList();
                out.printf("  %s: %d of %d on %s%s%n", g.getString("group"), g.getInteger("count") - g.getInteger("unplaced"), g.getInteger("count"),
                        nodes.isEmpty() ? "no node" : String.join(", ", nodes),
                        g.getInteger("unplaced") > 0 ? "; " + g.getInteger("unplaced") + " unplaced: " + g.getString("explain") : "");
                var preempts = g.getJsonArray("preempts", new io.vertx.core.json.JsonArray());
                if (!preempts.isEmpty()) out.printf("    would preempt %d allocation(s):%n", preempts.size());
                for (int k = 0; k < preempts.size(); k++) {
                    var e = preempts.getJsonObject(k);
                    out.printf("      %s of job %s on %s (%s)%n", e.getString("allocation"), e.getString("job"), e.getString("node"), e.getString("why"));
                }
            }
            return p.getInteger("unplaced") == 0 ? 0 : 2;
        }
    }

    @Command(name = "list", description = "List jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/jobs");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new Tables("ID", "TYPE", "PRIORITY", "STATUS", "RUNNING", "TOTAL", "SUBMITTED");
            var jobs = new JsonArray(body);
            for (int i = 0; i < jobs.size(); i++) {
                var j = jobs.getJsonObject(i);
                var c = j.getJsonObject("allocations");
                long total = c.fieldNames().stream().mapToLong(c::getLong).sum();
                t.row(j.getString("id"), j.getString("type"), j.getInteger("priority"), j.getString("status"), c.getLong("running"), total, j.getString("submittedAt"));
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "status", description = "Show a job and its allocations.")
    static final class Status implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            var client = api.client();
            String body = client.get("/v1/jobs/" + id);
            PrintWriter out = spec.commandLine().getOut();
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var j = new JsonObject(body);
            out.printf("ID         %s%nName       %s%nType       %s%nPriority   %d%nQueue      %s%nStatus     %s%nSubmitted  %s%n",
                    j.getString("id"), j.getString("name"), j.getString("type"), j.getInteger("priority"), j.getString("queue", "default"),
                    j.getString("status"), j.getString("submittedAt"));
            if (j.getString("parent") != null) out.printf("Parent     %s%n", j.getString("parent"));
            var deps = j.getJsonObject("spec").getJsonArray("dependsOn", new JsonArray());
            for (int i = 0; i < deps.size(); i++) {
                out.printf("Depends on %s (%s)%n", deps.getJsonObject(i).getString("job"), deps.getJsonObject(i).getString("condition"));
            }
            var periodic = j.getJsonObject("periodic");
            if (periodic != null) out.printf("Next run   %s%nLast run   %s%n", periodic.getString("nextRun", "-"), periodic.getString("lastLaunched", "-"));
            var children = j.getJsonArray("children");
            if (children != null) out.printf("Children   %s%n", children.isEmpty() ? "none yet" : String.join(", ", children.stream().map(String::valueOf).toList()));
            out.println();
            printAllocations(out, new JsonArray(client.get("/v1/jobs/" + id + "/allocations")));
            return 0;
        }
    }

    static void printAllocations(PrintWriter out, JsonArray allocs) {
        var t = new Tables("ALLOCATION", "GROUP", "TASK", "NODE", "STATUS", "DETAIL");
        for (int i = 0; i < allocs.size(); i++) {
            var a = allocs.getJsonObject(i);
            t.row(a.getString("id"), a.getString("group") + "[" + a.getInteger("index") + "]", a.getString("task"),
                    a.getString("nodeId"), a.getString("status"), Run.detail(a));
        }
        t.print(out);
    }

    @Command(name = "stop", description = "Stop a job: its allocations get SIGTERM, then SIGKILL after their kill timeout.")
    static final class Stop implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            var j = new JsonObject(api.client().delete("/v1/jobs/" + id));
            var c = j.getJsonObject("allocations");
            spec.commandLine().getOut().printf("Job %s is stopping (%d pending, %d running)%n", id, c.getLong("pending"), c.getLong("running"));
            return 0;
        }
    }

    @Command(name = "dispatch", description = "Run a parameterized job: a child job with this meta (BERTH_META_<KEY>) and payload (/berth/payload).")
    static final class Dispatch implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE|-", description = "the payload: a file, or - for standard input (at most 16 KiB)")
        String payload;
        @picocli.CommandLine.Option(names = "--meta", paramLabel = "KEY=VALUE", description = "a meta value (repeatable)")
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>();
        @picocli.CommandLine.Option(names = "--idempotency-token", paramLabel = "TOKEN", description = "the same token within a day gives the same child")
        String token;

        @Override
        public Integer call() throws Exception {
            var body = new JsonObject().put("meta", new JsonObject(new java.util.LinkedHashMap<String, Object>(meta)));
            if (payload != null) {
                byte[] bytes = payload.equals("-") ? System.in.readAllBytes() : java.nio.file.Files.readAllBytes(java.nio.file.Path.of(payload));
                body.put("payload", java.util.Base64.getEncoder().encodeToString(bytes));
            }
            if (token != null) body.put("idempotencyToken", token);
            String answer = api.client().post("/v1/jobs/" + id + "/dispatch", body.encode(), "application/json");
            if (api.printedJson(spec.commandLine().getOut(), answer)) return 0;
            var r = new JsonObject(answer);
            spec.commandLine().getOut().printf(r.getBoolean("again", false) ? "Dispatched before with this token: %s%n" : "Dispatched %s%n", r.getString("id"));
            return 0;
        }
    }

    @Command(name = "force", description = "Start a run of a periodic job now, whatever its schedule says.")
    static final class Force implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            String answer = api.client().post("/v1/jobs/" + id + "/periodic/force", "", "application/json");
            if (api.printedJson(spec.commandLine().getOut(), answer)) return 0;
            spec.commandLine().getOut().printf("Started %s%n", new JsonObject(answer).getString("id"));
            return 0;
        }
    }
}
