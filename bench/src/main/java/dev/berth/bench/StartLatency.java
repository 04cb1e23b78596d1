package dev.berth.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.container.ContainerRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.image.LayerUnpacker;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Container start latency: Berth's start→exec (cgroup made and limited, rootfs mounted, namespaces,
 * hardening, until the command has exec'd) and full life (start, exit, cleanup) of {@code /bin/true}
 * from a busybox image, with cgroup limits and default hardening on; beside {@code runc run} of an
 * equivalent bundle (same rootfs, same limits, a network namespace with lo only) measured in the same
 * run. Berth runs alternate network mode none, bridge and none with a user namespace: the differences are
 * what bridge networking and a user namespace cost.
 */
final class StartLatency {
    public static void main(String[] args) throws Exception {
        int runs = intArg(args, "--runs", 200);
        int warmup = intArg(args, "--warmup", 20);
        boolean runc = !List.of(args).contains("--no-runc");
        Path work = Files.createTempDirectory("berth-bench-");
        try {
            var config = ExecutorConfig.of("bench", work).with("cgroupParent", "berth-bench",
                    "bridge", "berth-bench0", "subnet", "10.211.200.0/24", "firewallTable", "berth_bench");
            Path tar = BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, work.resolve("busybox.tar"));
            NodeRuntime.images(config).importImage(tar, "busybox:bench");
            ContainerRuntime runtime = NodeRuntime.create(config);
            var bridged = TaskSpec.basic("bench", "busybox:bench", List.of("/bin/true"),
                    new Resources(Cpu.parse("1"), ByteSize.parse("64Mi"), 64, IoLimits.UNLIMITED, Map.of()));
            var isolated = bridged.withNetwork(new NetworkSpec(NetworkMode.NONE, List.of()));
            var userns = isolated.withUserns(true);
            System.out.printf("Container start latency, %d runs after %d warm-up, /bin/true in busybox, limits cpu 1, memory 64Mi, pids 64%n", runs, warmup);
            System.out.printf("host: %d cores, kernel %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));
            for (int i = 0; i < warmup; i++) {
                berthOnce(runtime, isolated, work, "w" + i);
                berthOnce(runtime, bridged, work, "wb" + i);
                berthOnce(runtime, userns, work, "wu" + i);
            }
            // network mode none (own namespace, lo only) and bridge (veth, address, route) alternate, so drift hits both alike
            long[] startExec = new long[runs], life = new long[runs], bridgeStart = new long[runs], bridgeLife = new long[runs];
            long[] usernsStart = new long[runs], usernsLife = new long[runs];
            for (int i = 0; i < runs; i++) {
                long[] r = berthOnce(runtime, isolated, work, "b" + i);
                startExec[i] = r[0];
                life[i] = r[1];
                r = berthOnce(runtime, bridged, work, "n" + i);
                bridgeStart[i] = r[0];
                bridgeLife[i] = r[1];
                r = berthOnce(runtime, userns, work, "u" + i);
                usernsStart[i] = r[0];
                usernsLife[i] = r[1];
            }
            runtime.close();
            Stats berthStart = Stats.of(startExec), berthLife = Stats.of(life);
            Stats netStart = Stats.of(bridgeStart), netLife = Stats.of(bridgeLife);
            Stats nsStart = Stats.of(usernsStart), nsLife = Stats.of(usernsLife);
            System.out.println(Stats.header());
            System.out.println(berthStart.row("berth start -> exec, network none"));
            System.out.println(netStart.row("berth start -> exec, network bridge"));
            System.out.println(berthLife.row("berth full life, network none"));
            System.out.println(netLife.row("berth full life, network bridge"));
            System.out.println(nsStart.row("berth start -> exec, none, user namespace"));
            System.out.println(nsLife.row("berth full life, none, user namespace"));
            System.out.printf("%nbridge networking adds to start -> exec: p50 %.2f ms, p95 %.2f ms (target: at most 2 ms at p50)%n",
                    netStart.p50() - berthStart.p50(), netStart.p95() - berthStart.p95());
            System.out.printf("a user namespace (clone, maps, id-mapped layer, the child moved in at its gate) adds to start -> exec: p50 %.2f ms, p95 %.2f ms%n",
                    nsStart.p50() - berthStart.p50(), nsStart.p95() - berthStart.p95());
            if (runc) {
                Path bundle = runcBundle(work, tar);
                for (int i = 0; i < Math.min(warmup, 10); i++) runcOnce(bundle, "berth-bench-w" + i);
                long[] runcLife = new long[runs];
                for (int i = 0; i < runs; i++) runcLife[i] = runcOnce(bundle, "berth-bench-r" + i);
                Stats runcStats = Stats.of(runcLife);
                System.out.println(runcStats.row("runc run (full life)"));
                System.out.printf("%nberth full life p50 / runc p50 = %.2f, with bridge networking %.2f (target: at most 0.33)%n", berthLife.p50() / runcStats.p50(), netLife.p50() / runcStats.p50());
                removeRuncCgroups();
            }
        } finally {
            delete(work);
        }
    }

    private static long[] berthOnce(ContainerRuntime runtime, TaskSpec task, Path work, String id) throws Exception {
        Path allocDir = Files.createDirectories(work.resolve("allocs").resolve(id));
        long t0 = System.nanoTime();
        var running = runtime.start(id, task, allocDir);
        long t1 = System.nanoTime();
        var exit = running.exit().get(30, TimeUnit.SECONDS);
        long t2 = System.nanoTime();
        if (!exit.success()) throw new IllegalStateException("container " + id + " failed: " + exit);
        delete(allocDir);
        return new long[] {t1 - t0, t2 - t0};
    }

    /** An OCI bundle with the same rootfs and limits: runc's own default spec, edited. */
    private static Path runcBundle(Path work, Path tar) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        try (InputStream in = Files.newInputStream(tar)) {
            LayerUnpacker.unpack(in, rootfs);
        }
        run(bundle, "runc", "spec");
        ObjectNode spec = (ObjectNode) Json.mapper().readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", false);
        ArrayNode argv = process.putArray("args");
        argv.add("/bin/true");
        ((ObjectNode) spec.get("root")).put("readonly", false);
        ObjectNode linux = (ObjectNode) spec.get("linux");
        ObjectNode resources = linux.putObject("resources");
        resources.putObject("memory").put("limit", 64L << 20);
        resources.putObject("cpu").put("quota", 100_000L).put("period", 100_000L);
        resources.putObject("pids").put("limit", 64);
        linux.put("cgroupsPath", "/berth-bench-runc/bench");
        Files.writeString(bundle.resolve("config.json"), Json.write(spec));
        return bundle;
    }

    private static long runcOnce(Path bundle, String id) throws Exception {
        long t0 = System.nanoTime();
        run(bundle, "runc", "run", "--bundle", bundle.toString(), id);
        return System.nanoTime() - t0;
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (is runc installed? apt-get install runc): " + out);
        }
    }

    private static void removeRuncCgroups() throws IOException {
        for (String c : List.of("cpu", "cpuacct", "memory", "pids", "blkio", "cpuset", "freezer", "devices", "hugetlb", "net_cls", "net_prio", "perf_event", "systemd", "unified")) {
            Path dir = Path.of("/sys/fs/cgroup", c, "berth-bench-runc");
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return fallback;
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
