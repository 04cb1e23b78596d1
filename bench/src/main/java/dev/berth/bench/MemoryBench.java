package dev.berth.bench;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.container.ContainerRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a running container costs the executor's process: its resident set (VmRSS) with none and
 * with N {@code sleep} containers running (network none), after a full GC each time, beside what
 * podman's conmon costs per container (its RSS, when podman is installed: one conmon per container).
 */
final class MemoryBench {
    public static void main(String[] args) throws Exception {
        int n = 100;
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--containers")) n = Integer.parseInt(args[i + 1]);
        Path work = Files.createTempDirectory("berth-bench-mem-");
        var started = new ArrayList<RunningTask>();
        try {
            var config = ExecutorConfig.of("bench-mem", work).with("cgroupParent", "berth-bench", "bridge", "berth-bench4",
                    "subnet", "10.211.204.0/24", "firewallTable", "berth_bench_mem");
            NodeRuntime.images(config).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, work.resolve("busybox.tar")), "busybox:bench");
            ContainerRuntime runtime = NodeRuntime.create(config);
            var sleep = TaskSpec.basic("sleep", "busybox:bench", List.of("sleep", "3600"),
                    new Resources(Cpu.parse("10m"), ByteSize.parse("8Mi"), 16, IoLimits.UNLIMITED, Map.of()))
                    .withNetwork(new NetworkSpec(NetworkMode.NONE, List.of()));
            // warm: the first starts load classes and make the launcher's handles
            for (int i = 0; i < 5; i++) {
                var t = runtime.start("w" + i, TaskSpec.basic("true", "busybox:bench", List.of("true"), sleep.resources()).withNetwork(sleep.network()),
                        Files.createDirectories(work.resolve("allocs/w" + i)));
                t.exit().get(30, TimeUnit.SECONDS);
            }
            long before = settledRss();
            for (int i = 0; i < n; i++) started.add(runtime.start("m" + i, sleep, Files.createDirectories(work.resolve("allocs/m" + i))));
            long after = settledRss();
            System.out.printf("Executor memory per running container: %d sleep containers (network none) in this JVM%n", n);
            System.out.printf("host: %d cores, kernel %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));
            System.out.printf("%-44s %10s%n", "measure", "KiB");
            System.out.printf("%-44s %10d%n", "RSS with none running", before);
            System.out.printf("%-44s %10d%n", "RSS with " + n + " running", after);
            System.out.printf("%-44s %10.1f   (target: at most 200)%n", "per container", (after - before) / (double) n);
            var rt = Runtime.getRuntime();
            if (rt.totalMemory() != rt.maxMemory()) {
                System.out.println("(the heap was not fixed, so its growth counts too; for the executor's own cost per container run"
                        + " BERTH_JAVA_OPTS=\"-Xms256m -Xmx256m -XX:+AlwaysPreTouch\" ./berth bench memory)");
            }
            for (var t : started) t.kill();
            for (var t : started) t.exit().get(30, TimeUnit.SECONDS);
            started.clear();
            runtime.close();
        } finally {
            for (var t : started) t.kill();
            StartLatency.delete(work);
        }
    }

    /** VmRSS in KiB after a full collection and a moment for the allocator to give pages back. */
    private static long settledRss() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300); // the collector's concurrent phases and the allocator settle; nothing to wait on
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
