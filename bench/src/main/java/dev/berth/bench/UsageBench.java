package dev.berth.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.berth.cli.up.EmbeddedKafka;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.usage.UsagePublisher;
import dev.berth.executor.usage.UsageSpool;
import dev.berth.model.Heartbeat;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.model.usage.NodeUsage;
import dev.berth.model.usage.UsageEvent;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import dev.berth.scheduler.capacity.CapacityPlanner;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Usage pipeline throughput and heartbeat cost, against the real embedded broker and a real
 * scheduler member: how many usage events per second one executor's spool and publisher get
 * acknowledged by Kafka (acks=all, idempotent), how many the capacity planner takes, and what a
 * node's heartbeat (with the usage of 20 allocations) costs the scheduler in cpu and bytes.
 */
final class UsageBench {
    public static void main(String[] args) throws Exception {
        int events = intArg(args, "--events", 50_000);
        int nodes = intArg(args, "--nodes", 200);
        Path work = Files.createTempDirectory("berth-bench-usage-");
        var kafka = EmbeddedKafka.start(work.resolve("kafka"), 0);
        try {
            System.out.printf("Usage pipeline, embedded KRaft broker (Kafka 4.4), %d cores%n%n", Runtime.getRuntime().availableProcessors());
            var spool = new UsageSpool(work.resolve("spool"), 1L << 30);
            var batch = new ArrayList<UsageEvent>();
            var metrics = sampleMetrics();
            long t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                batch.add(new UsageEvent(1, "bench-node", 0, Instant.now(), UsageEvent.ALLOCATION, "job", "g", "t", "a" + (i % 50),
                        new UsageEvent.Requested(0.5, 1L << 28), metrics));
                if (batch.size() == 500) {
                    spool.append(batch);
                    batch.clear();
                }
            }
            spool.append(batch);
            double spoolSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            try (var publisher = new UsagePublisher(kafka.bootstrap(), "bench", spool)) {
                while (spool.acknowledged() < events) Thread.sleep(5);
                double sendSeconds = (System.nanoTime() - t1) / 1e9;
                System.out.printf("spool append (fsync per 500)     %,10.0f events/s%n", events / spoolSeconds);
                System.out.printf("executor → Kafka, acknowledged   %,10.0f events/s  (%,d events, %.2f s; %d bytes/event)%n",
                        events / sendSeconds, events, sendSeconds, Json.write(new UsageEvent(1, "bench-node", events, Instant.now(), UsageEvent.ALLOCATION,
                                "job", "g", "t", "a1", new UsageEvent.Requested(0.5, 1L << 28), metrics)).length());
            }
            long t2 = System.nanoTime();
            try (var planner = new CapacityPlanner(kafka.bootstrap(), "bench-" + System.nanoTime())) {
                while (((Number) planner.stats().get("events")).longValue() < events) Thread.sleep(5);
                double seconds = (System.nanoTime() - t2) / 1e9;
                System.out.printf("Kafka → capacity planner         %,10.0f events/s  (includes joining the group)%n", events / seconds);
            }
            heartbeats(nodes);
        } finally {
            kafka.close();
            StartLatency.delete(work);
        }
    }

    static Map<String, Double> sampleMetrics() {
        var m = new HashMap<String, Double>();
        for (String k : List.of("container.cpu.time", "container.cpu.usage", "container.cpu.throttled_time", "container.memory.usage",
                "container.memory.peak", "container.memory.oom_kills", "container.disk.io.read", "container.disk.io.write",
                "container.disk.operations.read", "container.disk.operations.write", "container.pids")) m.put(k, 12345.678);
        return m;
    }

    /** {@code nodes} simulated nodes heartbeat once a second for 20 s into a real scheduler member; its process cpu is measured against 20 s idle. */
    static void heartbeats(int nodes) throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var member = BerthCluster.start(ClusterSettings.single("berth-bench-hb-" + port, port)).await(60, TimeUnit.SECONDS);
        try {
            member.vertx().deployVerticle(new SchedulerVerticle(SchedulerConfig.defaults().with("port", 0, "executorPort", -1), member.hazelcast(), Clock.systemUTC()))
                    .await(60, TimeUnit.SECONDS);
            var allocations = new HashMap<String, NodeUsage.Allocation>();
            for (int a = 0; a < 20; a++) allocations.put("alloc" + a + "0000000", new NodeUsage.Allocation(0.25, 64L << 20));
            var usage = new NodeUsage(1.5, 8L << 30, allocations);
            var capacity = Resources.of(Cpu.parse("16"), ByteSize.parse("64Gi"));
            long[] seq = new long[nodes];
            Runnable beat = () -> {
                for (int n = 0; n < nodes; n++) {
                    var hb = new Heartbeat("bench-" + n, "10.0.0." + n, capacity, Map.of(), Map.of("network.host", "false"),
                            List.copyOf(allocations.keySet()), ++seq[n], usage, null);
                    member.vertx().eventBus().send(Addresses.HEARTBEATS, new io.vertx.core.json.JsonObject(Json.write(hb)));
                }
            };
            int bytes = Json.write(new Heartbeat("bench-0", "10.0.0.0", capacity, Map.of(), Map.of("network.host", "false"),
                    List.copyOf(allocations.keySet()), 1, usage, null)).length();
            beat.run(); // register the nodes
            Thread.sleep(3000);
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long idle0 = os.getProcessCpuTime();
            Thread.sleep(20_000);
            long idle = os.getProcessCpuTime() - idle0;
            long busy0 = os.getProcessCpuTime();
            for (int s = 0; s < 20; s++) {
                long next = System.nanoTime() + 1_000_000_000L;
                beat.run();
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            }
            long busy = os.getProcessCpuTime() - busy0;
            double perBeatMs = (busy - idle) / 1e6 / (20.0 * nodes);
            System.out.printf("%nheartbeats: %d nodes × 1/s for 20 s into one scheduler member (20 allocations' usage each)%n", nodes);
            System.out.printf("  bytes per heartbeat %d → %,d bytes/s per node on the bus%n", bytes, bytes);
            System.out.printf("  scheduler cpu per heartbeat %.3f ms (sending included) → %.2f%% of a core per node, %.1f%% for %d nodes%n",
                    perBeatMs, perBeatMs / 10, perBeatMs * nodes / 10, nodes);
        } finally {
            member.close().await(30, TimeUnit.SECONDS);
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }
}
