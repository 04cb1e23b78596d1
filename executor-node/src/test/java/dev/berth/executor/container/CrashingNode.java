package dev.berth.executor.container;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.model.spec.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/** A node that starts one long container and then waits to be killed: the "executor crash" of {@link LifecycleTest}. */
public final class CrashingNode {
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        var config = ExecutorConfig.of("crashing", dataDir).with("cgroupParent", args[1]).with(LifecycleTest.CRASH_SETTINGS);
        NodeRuntime.images(config).importImage(dev.berth.executor.TestImages.busyboxTar(Files.createDirectories(dataDir.resolve("build"))), "busybox:test");
        var runtime = NodeRuntime.create(config);
        TaskSpec t = ContainerFixture.task("sleep", "300");
        Path allocDir = Files.createDirectories(dataDir.resolve("allocs").resolve(args[2]));
        var running = runtime.start(args[2], t, allocDir);
        System.out.println("started " + running.pid());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
