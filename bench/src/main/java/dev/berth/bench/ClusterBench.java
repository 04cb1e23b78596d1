package dev.berth.bench;

import com.hazelcast.core.HazelcastJsonValue;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.transport.BridgeLink;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.Heartbeat;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.config.HostPort;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.model.usage.NodeUsage;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./berth bench cluster [--nodes 100 --nodes 1000] [--allocations 20000] [--job-size 1000]}:
 * the real scheduler (a Hazelcast member with its state maps and journal, the API, placement, the
 * executor bridge) with N simulated executors in another process, each connected over the TCP
 * bridge as a real executor is, heartbeating every second and "running" each allocation it is sent
 * at once (it reports running, as a real node does once its container started). Jobs are submitted
 * through the API back to back; allocations per second from the first submit until the last is
 * stored running, and each allocation's submit → placed → running, p50 and p95.
 */
final class ClusterBench {
    /** Published end-to-end rates to print beside ours (their clusters, not this machine). */
    private static final String ANCHORS = """
              Nomad, 2 million container challenge (6,100 hosts, 2020): ~1,500 placements/s end to end (published)
              Armada design target: ~1,670 jobs/s (published)""";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child-nodes")) {
            simulatedNodes(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--nodes")) sizes.add(Integer.parseInt(args[i + 1]));
        if (sizes.isEmpty()) sizes = List.of(100, 1_000);
        int allocations = intArg(args, "--allocations", 20_000);
        int jobSize = intArg(args, "--job-size", 1_000);
        System.out.printf("Scheduler throughput: one real scheduler member (Hazelcast state, journal, API, placement, bridge) in this process,%n"
                + "simulated executors in another, over the TCP bridge; each \"runs\" what it is sent at once.%n");
        System.out.printf("host: %d cores; %,d allocations (cpu 10m, memory 8Mi, network none) as jobs of %,d submitted back to back%n%n",
                Runtime.getRuntime().availableProcessors(), allocations, jobSize);
        for (int nodes : sizes) run(nodes, allocations, jobSize);
        System.out.println("beside:");
        System.out.println(ANCHORS);
    }

    record Seen(String job, Instant placed, Instant running) {
    }

    private static void run(int nodes, int total, int jobSize) throws Exception {
        Path work = Files.createTempDirectory("berth-bench-cluster-");
        int clusterPort = BridgeBench.freePort(), executorPort = BridgeBench.freePort(), apiPort = BridgeBench.freePort();
        String name = "berth-bench-cluster-" + clusterPort;
        ClusterMember member = BerthCluster.start(ClusterSettings.single(name, clusterPort)).await(60, TimeUnit.SECONDS);
        Process sim = null;
        try {
            var config = SchedulerConfig.defaults().with("port", apiPort, "executorPort", executorPort, "clusterPort", clusterPort, "clusterName", name,
                    "busPort", 0, "dataDir", work);
            member.vertx().deployVerticle(new SchedulerVerticle(config, member.hazelcast(), Clock.systemUTC())).await(60, TimeUnit.SECONDS);
            sim = child(String.valueOf(executorPort), String.valueOf(nodes)).start();
            var ready = new String(sim.getInputStream().readNBytes(6));
            if (!ready.equals("ready\n")) throw new IOException("the simulated nodes did not start: " + ready);
            String api = "http://127.0.0.1:" + apiPort;
            awaitNodes(api, nodes);

            var seen = new ConcurrentHashMap<String, Seen>();
            var allRunning = new CountDownLatch(total);
            var map = member.hazelcast().<String, HazelcastJsonValue>getMap("berth.allocations");
            var listener = AllocationEvents.listen(map, (a, now) -> {
                Seen before = seen.get(a.id());
                Instant placed = before != null && before.placed() != null ? before.placed() : a.nodeId() != null ? now : null;
                Instant running = before != null && before.running() != null ? before.running() : a.status() == AllocationStatus.RUNNING ? now : null;
                seen.put(a.id(), new Seen(a.jobId(), placed, running));
                if (running != null && (before == null || before.running() == null)) allRunning.countDown();
            });
            var jobSubmitted = new ConcurrentHashMap<String, Instant>();
            var http = HttpClient.newHttpClient();
            Instant first = Instant.now();
            for (int sent = 0, j = 0; sent < total; j++) {
                int count = Math.min(jobSize, total - sent);
                String body = """
                        {"name": "sim-%d", "type": "batch", "groups": [{"count": %d, "tasks": [{"image": "busybox:bench", "command": ["/bin/true"],
                          "resources": {"cpu": "10m", "memory": "8Mi"}, "network": {"mode": "none"}}]}]}""".formatted(j, count);
                Instant at = Instant.now();
                var r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201) throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
                jobSubmitted.put(new JsonObject(r.body()).getString("id"), at);
                sent += count;
            }
            Instant lastSubmit = Instant.now();
            if (!allRunning.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException((total - allRunning.getCount()) + " of " + total + " allocations running after 10 minutes");
            }
            map.removeEntryListener(listener);
            Instant last = seen.values().stream().map(Seen::running).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElseThrow();
            double seconds = Duration.between(first, last).toNanos() / 1e9;
            System.out.printf("%,d simulated nodes: %,d allocations from the first submit to the last stored running in %.1f s = %,.0f allocations/s"
                    + " (submitting took %.1f s)%n", nodes, total, seconds, total / seconds, Duration.between(first, lastSubmit).toNanos() / 1e9);
            var toPlaced = new ArrayList<Long>();
            var toRunning = new ArrayList<Long>();
            for (Seen s : seen.values()) {
                Instant at = jobSubmitted.get(s.job());
                if (at == null || s.running() == null || s.placed() == null) continue;
                toPlaced.add(Duration.between(at, s.placed()).toNanos());
                toRunning.add(Duration.between(s.placed(), s.running()).toNanos());
            }
            System.out.println(Stats.header());
            System.out.println(Stats.of(toPlaced.stream().mapToLong(Long::longValue).toArray()).row("  submit (its job POST) -> placed"));
            System.out.println(Stats.of(toRunning.stream().mapToLong(Long::longValue).toArray()).row("  placed -> stored running"));
            System.out.println();
        } finally {
            if (sim != null) {
                sim.destroy();
                sim.waitFor(30, TimeUnit.SECONDS);
            }
            member.close().await(30, TimeUnit.SECONDS);
            StartLatency.delete(work);
        }
    }

    private static void awaitNodes(String api, int nodes) throws Exception {
        var http = HttpClient.newHttpClient();
        long until = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < until) {
            var r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/nodes")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                long ready = new io.vertx.core.json.JsonArray(r.body()).stream().filter(n -> "ready".equals(((JsonObject) n).getString("status"))).count();
                if (ready == nodes) return;
            }
            Thread.sleep(500); // the nodes' first heartbeats: a bench waits on the API it measures
        }
        throw new IllegalStateException("the " + nodes + " simulated nodes were not all ready within 120 s");
    }

    /**
     * N nodes, each a bridge connection of its own: a run command is accepted and reported running
     * at once (resent until acknowledged, as the real node's reporter does); heartbeats every second
     * name what each node runs.
     */
    private static void simulatedNodes(int port, int nodes) throws Exception {
        var vertx = Vertx.vertx();
        var capacity = Resources.of(Cpu.parse("16"), ByteSize.parse("64Gi"));
        var links = new ArrayList<BridgeLink>();
        var running = new ArrayList<Set<String>>();
        var unacknowledged = new AtomicLong();
        var made = new CountDownLatch(1);
        var context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            for (int n = 0; n < nodes; n++) {
                String node = "sim-" + n;
                var link = new BridgeLink(vertx, List.of(new HostPort("127.0.0.1", port)));
                Set<String> mine = ConcurrentHashMap.newKeySet();
                link.handle(Addresses.nodeRun(node), m -> {
                    Allocation a = Json.read(m.body().getJsonObject("allocation").encode(), Allocation.class);
                    m.reply("accepted");
                    if (!mine.add(a.id())) return;
                    var update = new JsonObject(Json.write(new AllocationUpdate(a.id(), node, AllocationStatus.RUNNING, null, null, null,
                            a.version() + 1, Instant.now())));
                    report(vertx, link, update, unacknowledged);
                });
                link.handle(Addresses.nodeStop(node), m -> m.reply("stopping"));
                link.handle(Addresses.nodeLogs(node), m -> m.reply(""));
                links.add(link);
                running.add(mine);
            }
            long[] seq = {0};
            vertx.setPeriodic(1000, id -> {
                seq[0]++;
                for (int n = 0; n < links.size(); n++) {
                    var hb = new Heartbeat("sim-" + n, "10.0." + (n / 250) + "." + (n % 250 + 1), capacity, Map.of(), Map.of("network.host", "false"),
                            List.copyOf(running.get(n)), seq[0], new NodeUsage(0.0, 0L, Map.of()), null);
                    links.get(n).send(Addresses.HEARTBEATS, new JsonObject(Json.write(hb)));
                }
            });
            made.countDown();
        });
        made.await();
        for (var l : links) l.connected().await(60, TimeUnit.SECONDS);
        System.out.print("ready\n");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void report(Vertx vertx, BridgeLink link, JsonObject update, AtomicLong unacknowledged) {
        link.request(Addresses.ALLOCATION_UPDATES, update, 5000).onFailure(e -> {
            unacknowledged.incrementAndGet();
            vertx.setTimer(1000, t -> report(vertx, link, update, unacknowledged));
        });
    }

    private static ProcessBuilder child(String... args) {
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), ClusterBench.class.getName(), "child-nodes"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }
}
