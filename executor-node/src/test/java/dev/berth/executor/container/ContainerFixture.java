package dev.berth.executor.container;

import dev.berth.executor.TestImages;
import dev.berth.executor.TestNetworks;
import dev.berth.executor.network.NodeNetwork;
import dev.berth.executor.Trees;
import dev.berth.executor.cgroup.Cgroups;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskExit;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A node's container runtime over a temp data dir with a busybox image, for tests on the real kernel. */
final class ContainerFixture implements AutoCloseable {
    static final String CGROUP_PARENT = "berth-test";
    /** The isolation tests opt out of seccomp; the policy tests use a node of their own. */
    static final dev.berth.model.policy.NodePolicy POLICY = new dev.berth.model.policy.NodePolicy(java.util.Set.of(), true, null, null);
    /** The host's /usr, which tests mount read-only (with /lib and /lib64, for its loader) to run the host's python in a container: busybox serves no UDP. */
    static final Path HOST_PYTHON_ROOT = Path.of("/usr");
    final Path dataDir;
    final ImageStore images;
    final ContainerRuntime runtime;
    final Path volumes;
    final NodeNetwork network;

    ContainerFixture() throws Exception {
        this(null);
    }

    /** @param registry where missing images are pulled from; null: nowhere */
    ContainerFixture(dev.berth.executor.image.registry.RegistryClient registry) throws Exception {
        this(registry, false);
    }

    /** @param usernsDefault every container with a user namespace of its own (the node default {@code --userns-default}) */
    ContainerFixture(dev.berth.executor.image.registry.RegistryClient registry, boolean usernsDefault) throws Exception {
        dataDir = Files.createTempDirectory("berth-rt-");
        images = new ImageStore(dataDir.resolve("images"));
        images.importImage(TestImages.busyboxTar(Files.createDirectories(dataDir.resolve("build"))), "busybox:test");
        volumes = Files.createDirectories(dataDir.resolve("volumes"));
        network = NodeNetwork.start(TestNetworks.of("test0", 1), dataDir.resolve("network"));
        runtime = new ContainerRuntime(dataDir, images, Cgroups.detect(CGROUP_PARENT), rules(usernsDefault), network, registry);
    }

    ContainerPlanner.NodeRules rules(boolean usernsDefault) {
        return new ContainerPlanner.NodeRules(List.of(volumes, HOST_PYTHON_ROOT, Path.of("/lib"), Path.of("/lib64")), false, POLICY,
                usernsDefault, ContainerPlanner.NodeRules.DEFAULT_USERNS_BASE);
    }

    record Result(TaskExit exit, String stdout, String stderr) {
    }

    static TaskSpec task(String... command) {
        return TaskSpec.basic("t", "busybox:test", List.of(command), new Resources(
                dev.berth.model.units.Cpu.parse("1"), dev.berth.model.units.ByteSize.parse("256Mi"), 256,
                dev.berth.model.spec.IoLimits.UNLIMITED, java.util.Map.of()));
    }

    record Started(String id, RunningTask task, Path allocDir) {
    }

    Started start(TaskSpec task) throws Exception {
        String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);
        Path allocDir = Files.createDirectories(dataDir.resolve("allocs").resolve(id));
        return new Started(id, runtime.start(id, task, allocDir), allocDir);
    }

    static TaskSpec with(TaskSpec t, java.util.function.UnaryOperator<TaskSpec> change) {
        return change.apply(t);
    }

    Result run(TaskSpec task) throws Exception {
        return run(task, Duration.ofSeconds(30));
    }

    Result run(TaskSpec task, Duration timeout) throws Exception {
        String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 11);
        Path allocDir = Files.createDirectories(dataDir.resolve("allocs").resolve(id));
        RunningTask t = runtime.start(id, task, allocDir);
        TaskExit exit;
        try {
            exit = t.exit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            t.kill();
            t.exit().get(10, TimeUnit.SECONDS);
            throw new AssertionError("container did not end within " + timeout + "; stdout: " + read(allocDir.resolve("stdout.log")));
        }
        return new Result(exit, read(allocDir.resolve("stdout.log")), read(allocDir.resolve("stderr.log")));
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    @Override
    public void close() throws Exception {
        try {
            runtime.cleanLeftovers();
            runtime.close();
        } finally {
            Trees.delete(dataDir);
        }
    }
}
