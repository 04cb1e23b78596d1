package dev.berth.bench;

import com.hazelcast.core.HazelcastJsonValue;
import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.model.Allocation;
import dev.berth.model.codec.Json;
import dev.berth.scheduler.SchedulerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Batch throughput on {@code berth up} (scheduler, executor and real containers in this process):
 * N trivial tasks ({@code /bin/true}, cpu 10m, memory 8Mi, network none — or {@code --network host}, which
 * skips the task's network namespace) as one job, from submit
 * until the last is stored complete; tasks/s and where each allocation's time went, stage by stage,
 * p50 and p95. Stages come from when the leader's state map saw each allocation change (an entry
 * listener in this process) and from the node's own start and end times:
 * submit → stored → placed → started (node) → ended (node) → stored complete.
 */
final class BatchBench {
    record Seen(Instant stored, Instant placed, Instant running, Instant done) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--tasks")) sizes.add(Integer.parseInt(args[i + 1]));
        if (sizes.isEmpty()) sizes = List.of(1_000);
        String network = "none";
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--network")) network = args[i + 1];
        Path work = Files.createTempDirectory("berth-bench-batch-");
        var rates = new ArrayList<Double>();
        try {
            var executor = ExecutorConfig.of("bench-batch", work).with("cgroupParent", "berth-bench", "bridge", "berth-bench3",
                    "subnet", "10.211.203.0/24", "firewallTable", "berth_bench_batch", "allowHostNetwork", network.equals("host"));
            Path tar = BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, work.resolve("busybox.tar"));
            NodeRuntime.images(executor).importImage(tar, "busybox:bench");
            int port = BridgeBench.freePort(), clusterPort = BridgeBench.freePort();
            var scheduler = SchedulerConfig.defaults().with("port", port, "clusterPort", clusterPort, "busPort", 0, "clusterName", "berth-bench-" + port,
                    "dataDir", work.resolve("scheduler"));
            System.out.printf("Batch throughput on berth up (one process, real containers): /bin/true, cpu 10m, memory 8Mi, network none%n");
            System.out.printf("host: %d cores, kernel %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));
            var runtime = NodeRuntime.create(executor);
            try (var berth = AllInOne.start(ClusterSettings.single("berth-bench-" + port, clusterPort), scheduler, executor, runtime)) {
                String api = "http://127.0.0.1:" + berth.apiPort();
                awaitNode(api);
                for (int n : sizes) {
                    runtime.launchSteps().clear();
                    rates.add(run(berth, api, n, network));
                    System.out.println("  the container start itself (the launcher's steps, each since the one before):");
                    runtime.launchSteps().durations().forEach((step, nanos) -> System.out.println(Stats.of(nanos).row("    " + step)));
                    System.out.println();
                }
            }
        } finally {
            StartLatency.delete(work);
        }
        slurm(sizes, rates);
    }

    /** The same tasks as a Slurm job array on this machine, beside Berth's rates of the same run. */
    private static void slurm(List<Integer> sizes, List<Double> berthRates) throws Exception {
        if (!SlurmBaseline.installed()) {
            System.out.println("Slurm: not installed, so no peer run (apt-get install slurm-wlm: ./berth bench batch installs it as root)");
            return;
        }
        System.out.println("Slurm 22 (Debian's slurm-wlm), single node, select/cons_tres, the same tasks as one job array (/bin/true, 1 cpu, 8 MiB):");
        try (var slurm = SlurmBaseline.start()) {
            for (int i = 0; i < sizes.size(); i++) {
                int n = sizes.get(i);
                double seconds = slurm.jobArray(n);
                double rate = n / seconds;
                System.out.printf("  %,d tasks: %.1f s = %.1f tasks/s; Berth in this run %.0f tasks/s = %.1f× Slurm (target: 10×)%n",
                        n, seconds, rate, berthRates.get(i), berthRates.get(i) / rate);
            }
        }
    }

    private static double run(AllInOne berth, String api, int n, String network) throws Exception {
        var seen = new ConcurrentHashMap<String, Seen>();
        var nodeTimes = new ConcurrentHashMap<String, Instant[]>();
        var done = new CountDownLatch(n);
        var allocations = berth.hazelcast().<String, HazelcastJsonValue>getMap("berth.allocations");
        String[] job = new String[1];
        var listener = AllocationEvents.listen(allocations, (a, now) -> {
            seen.compute(a.id(), (k, old) -> {
                var cur = old == null ? new Seen(now, null, null, null) : old;
                Instant placed = cur.placed() == null && a.nodeId() != null ? now : cur.placed();
                Instant running = cur.running() == null && a.status() != dev.berth.model.AllocationStatus.PENDING ? now : cur.running();
                Instant fin = cur.done() == null && a.status().terminal() ? now : cur.done();
                return new Seen(cur.stored(), placed, running, fin);
            });
            if (a.status().terminal() && nodeTimes.putIfAbsent(a.id(), new Instant[] {a.startedAt(), a.finishedAt()}) == null) done.countDown();
        });
        try {
            String body = """
                    {"name": "bench-%d", "type": "batch", "groups": [{"count": %d, "tasks": [{"image": "busybox:bench", "command": ["/bin/true"],
                      "resources": {"cpu": "10m", "memory": "8Mi"}, "network": {"mode": "%s"}}]}]}""".formatted(n, n, network);
            var http = HttpClient.newHttpClient();
            Instant submitted = Instant.now();
            var r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
            job[0] = new io.vertx.core.json.JsonObject(r.body()).getString("id");
            if (!done.await(30, TimeUnit.MINUTES)) throw new IllegalStateException("the job did not end within 30 minutes");
            Instant last = seen.values().stream().map(Seen::done).max(Instant::compareTo).orElseThrow();
            double seconds = Duration.between(submitted, last).toNanos() / 1e9;
            long failed = 0;
            for (var id : seen.keySet()) {
                var v = allocations.get(id);
                if (v != null && !v.getValue().contains("\"status\":\"complete\"")) failed++;
            }
            System.out.printf("%,d tasks, network %s: %.1f s from submit to the last stored complete = %.0f tasks/s (%d not complete)%n", n, network, seconds, n / seconds, failed);
            System.out.println(Stats.header());
            // each stage from what the state map saw (s) and what the node says (t: started, ended)
            row("submit -> stored", seen, nodeTimes, (s, t) -> between(submitted, s.stored()));
            row("stored -> placed (incl. waiting for room)", seen, nodeTimes, (s, t) -> between(s.stored(), s.placed()));
            row("placed -> started on the node", seen, nodeTimes, (s, t) -> between(s.placed(), t[0]));
            row("started -> ended (the task, on the node)", seen, nodeTimes, (s, t) -> between(t[0], t[1]));
            row("ended on the node -> stored complete", seen, nodeTimes, (s, t) -> between(t[1], s.done()));
            System.out.println();
            return n / seconds;
        } finally {
            allocations.removeEntryListener(listener);
        }
    }

    private static Duration between(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to);
    }

    private static void row(String what, Map<String, Seen> seen, Map<String, Instant[]> node,
                            java.util.function.BiFunction<Seen, Instant[], Duration> stage) {
        long[] nanos = seen.entrySet().stream().filter(e -> node.containsKey(e.getKey()))
                .map(e -> stage.apply(e.getValue(), node.get(e.getKey()))).filter(java.util.Objects::nonNull).mapToLong(Duration::toNanos).toArray();
        if (nanos.length > 0) System.out.println(Stats.of(nanos).row(what));
    }

    private static void awaitNode(String api) throws Exception {
        var http = HttpClient.newHttpClient();
        long until = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < until) {
            var r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/nodes")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().contains("\"status\":\"ready\"")) return;
            Thread.sleep(200); // the executor's first heartbeat: a bench waits on the API it measures
        }
        throw new IllegalStateException("the node did not become ready within 60 s");
    }
}
