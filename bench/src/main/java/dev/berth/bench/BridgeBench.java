package dev.berth.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.executor.transport.BridgeLink;
import dev.berth.model.Heartbeat;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.config.HostPort;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.model.usage.NodeUsage;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./berth bench bridge [--nodes 200]}: executors on the TCP event-bus bridge against
 * executors as Hazelcast members, as Berth had them before. (1) The resident memory of one idle
 * executor process each way, same heap limit, same agent code. (2) The scheduler member's cpu per
 * heartbeat with N simulated executors connected over the bridge from another process (so that
 * only the scheduler's cpu is counted), beside the same heartbeats sent on its local bus.
 */
public final class BridgeBench {
    private static final int SECONDS = 20;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].startsWith("child-")) {
            runChild(args);
            return;
        }
        int nodes = intArg(args, "--nodes", 200);
        int clusterPort = freePort(), executorPort = freePort();
        String name = "berth-bench-bridge-" + clusterPort;
        ClusterMember member = BerthCluster.start(ClusterSettings.single(name, clusterPort)).await(60, TimeUnit.SECONDS);
        try {
            var config = SchedulerConfig.defaults().with("port", 0, "executorPort", executorPort, "clusterPort", clusterPort, "clusterName", name, "busPort", 0);
            member.vertx().deployVerticle(new SchedulerVerticle(config, member.hazelcast(), Clock.systemUTC())).await(60, TimeUnit.SECONDS);
            memory(clusterPort, executorPort, name);
            heartbeats(member, executorPort, nodes);
        } finally {
            member.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** One idle executor process each way; its VmRSS after it has heartbeated for a while. */
    static void memory(int clusterPort, int executorPort, String clusterName) throws Exception {
        long bridge = rssOfChild("child-bridge-executor", String.valueOf(executorPort));
        long member = rssOfChild("child-member-executor", String.valueOf(clusterPort), clusterName);
        System.out.printf("executor process RSS after %d s of heartbeats (-Xmx256m, SerialGC, same agent, no containers)%n", SECONDS);
        System.out.printf("  on the TCP event-bus bridge (now)       %6.1f MiB%n", bridge / 1048576.0);
        System.out.printf("  as a Hazelcast lite member (before)     %6.1f MiB%n", member / 1048576.0);
        System.out.printf("  saved                                   %6.1f MiB (%.0f%%)%n", (member - bridge) / 1048576.0, 100.0 * (member - bridge) / member);
    }

    /** N simulated executors in another process heartbeat over the bridge; the scheduler's cpu with them against idle. */
    static void heartbeats(ClusterMember member, int executorPort, int nodes) throws Exception {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(3000);
        long idle0 = os.getProcessCpuTime();
        Thread.sleep(SECONDS * 1000L);
        long idle = os.getProcessCpuTime() - idle0;
        Process load = child("child-load", String.valueOf(executorPort), String.valueOf(nodes)).start();
        try {
            var ready = new String(load.getInputStream().readNBytes(6));
            if (!ready.equals("ready\n")) throw new IOException("the load process did not start: " + ready + new String(load.getErrorStream().readAllBytes()));
            Thread.sleep(3000); // every node registered and heartbeating
            long busy0 = os.getProcessCpuTime();
            Thread.sleep(SECONDS * 1000L);
            long busy = os.getProcessCpuTime() - busy0;
            double bridgeMs = (busy - idle) / 1e6 / (SECONDS * (double) nodes);
            double localMs = localBus(member, nodes, os, idle);
            System.out.printf("%nscheduler cpu per heartbeat, %d nodes × 1/s for %d s (20 allocations' usage each; idle subtracted)%n", nodes, SECONDS);
            System.out.printf("  over the TCP bridge from another process  %.3f ms → %.2f%% of a core per node, %.1f%% for %d nodes%n",
                    bridgeMs, bridgeMs / 10, bridgeMs * nodes / 10, nodes);
            System.out.printf("  on the member's local bus (no network)    %.3f ms (the floor: decoding and recording the heartbeat)%n", localMs);
        } finally {
            load.destroy();
            load.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The same heartbeats sent on the scheduler's own bus; its cpu per heartbeat less idle. */
    static double localBus(ClusterMember member, int nodes, OperatingSystemMXBean os, long idle) throws Exception {
        var beats = heartbeats("local", nodes);
        long busy0 = os.getProcessCpuTime();
        for (int s = 0; s < SECONDS; s++) {
            long next = System.nanoTime() + 1_000_000_000L;
            for (var hb : beats) member.vertx().eventBus().send(Addresses.HEARTBEATS, hb.copy().put("sequence", s + 2L));
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
        long busy = os.getProcessCpuTime() - busy0;
        return (busy - idle) / 1e6 / (SECONDS * (double) nodes);
    }

    static List<JsonObject> heartbeats(String prefix, int nodes) {
        var allocations = new HashMap<String, NodeUsage.Allocation>();
        for (int a = 0; a < 20; a++) allocations.put("alloc" + a + "0000000", new NodeUsage.Allocation(0.25, 64L << 20));
        var usage = new NodeUsage(1.5, 8L << 30, allocations);
        var capacity = Resources.of(Cpu.parse("16"), ByteSize.parse("64Gi"));
        var out = new ArrayList<JsonObject>();
        for (int n = 0; n < nodes; n++) {
            out.add(new JsonObject(Json.write(new Heartbeat(prefix + "-" + n, "10.0.0." + (n % 250), capacity, Map.of(), Map.of("network.host", "false"),
                    List.copyOf(allocations.keySet()), 1, usage, null))));
        }
        return out;
    }

    // --- the child processes

    private static void runChild(String[] args) throws Exception {
        switch (args[0]) {
            case "child-load" -> load(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "child-bridge-executor" -> idleExecutor(Vertx.vertx(), List.of("127.0.0.1:" + args[1]));
            case "child-member-executor" -> {
                var hz = ConfigUtil.loadConfig().setClusterName(args[2]).setLiteMember(true);
                hz.setProperty("hazelcast.phone.home.enabled", "false");
                hz.setProperty("hazelcast.wait.seconds.before.join", "0");
                hz.getNetworkConfig().setPort(freePort()).getJoin().getMulticastConfig().setEnabled(false);
                hz.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
                hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + args[1]));
                var vertx = Vertx.builder().with(new VertxOptions()).withClusterManager(new HazelcastClusterManager(hz)).buildClustered().await(60, TimeUnit.SECONDS);
                idleExecutor(vertx, List.of());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** The real agent on a runtime that runs nothing; prints its VmRSS after {@link #SECONDS} and exits. */
    private static void idleExecutor(Vertx vertx, List<String> schedulers) throws Exception {
        Path dir = Files.createTempDirectory("berth-bench-rss-");
        var config = ExecutorConfig.of("rss-" + ProcessHandle.current().pid(), dir).with("schedulers", schedulers);
        TaskRuntime nothing = (id, task, allocDir) -> {
            throw new TaskStartException("this benchmark runs no task");
        };
        vertx.deployVerticle(new ExecutorVerticle(config, nothing, Clock.systemUTC())).await(60, TimeUnit.SECONDS);
        Thread.sleep(SECONDS * 1000L);
        System.gc();
        System.out.println(rss());
        System.out.flush();
        vertx.close().await(30, TimeUnit.SECONDS);
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        System.exit(0);
    }

    private static void load(int port, int nodes) throws Exception {
        var vertx = Vertx.vertx();
        var beats = heartbeats("bridged", nodes);
        var context = vertx.getOrCreateContext();
        var links = new ArrayList<BridgeLink>();
        var made = new CountDownLatch(1);
        context.runOnContext(v -> {
            for (var hb : beats) {
                var link = new BridgeLink(vertx, List.of(new HostPort("127.0.0.1", port)));
                String node = hb.getString("nodeId");
                for (String a : List.of(Addresses.nodeRun(node), Addresses.nodeStop(node), Addresses.nodeLogs(node))) link.handle(a, m -> m.reply("ok"));
                links.add(link);
            }
            long[] seq = {1};
            vertx.setPeriodic(1000, id -> {
                seq[0]++;
                for (int i = 0; i < links.size(); i++) links.get(i).send(Addresses.HEARTBEATS, beats.get(i).copy().put("sequence", seq[0]));
            });
            made.countDown();
        });
        made.await();
        for (var l : links) l.connected().await(30, TimeUnit.SECONDS);
        System.out.print("ready\n");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static ProcessBuilder child(String... args) {
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), BridgeBench.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static long rssOfChild(String... args) throws Exception {
        Process p = child(args).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", args) + " failed: " + out);
        var lines = out.lines().toList();
        return Long.parseLong(lines.getLast());
    }

    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }
}
