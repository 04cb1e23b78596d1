package dev.berth.executor.container;

import static dev.berth.executor.container.ContainerFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stopping containers, and what is left after each way a container can end (nothing). */
class LifecycleTest extends ContainerTestBase {

    static void assertNothingLeft(String id) {
        assertThat(node.dataDir.resolve("containers").resolve(id)).doesNotExist();
        for (String c : List.of("memory", "cpu", "pids", "blkio", "cpuset")) {
            assertThat(Path.of("/sys/fs/cgroup", c, ContainerFixture.CGROUP_PARENT, id)).doesNotExist();
        }
        assertThat(Path.of("/sys/fs/cgroup/unified", ContainerFixture.CGROUP_PARENT, id)).doesNotExist();
    }

    @Test
    @DisplayName("SIGTERM reaches a PID 1 that handles it; the container ends and leaves nothing")
    void terminateWithHandler() throws Exception {
        var s = node.start(task("sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.1; done"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(s.allocDir().resolve("stdout.log")).contains("ready"));
        s.task().terminate();
        var exit = s.task().exit().get(10, TimeUnit.SECONDS);
        assertThat(exit.code()).isZero();
        assertThat(Files.readString(s.allocDir().resolve("stdout.log"))).isEqualTo("ready\nbye\n");
        assertNothingLeft(s.id());
    }

    @Test
    @DisplayName("a PID 1 without a handler ignores SIGTERM; SIGKILL ends it and every process of the container")
    void killEndsTheNamespace() throws Exception {
        var s = node.start(task("sh", "-c", "sleep 300 & sleep 300 & sleep 300"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(s.task().pid()).map(p -> p.descendants().count() >= 2).orElse(false));
        var children = ProcessHandle.of(s.task().pid()).orElseThrow().descendants().toList();
        s.task().terminate();
        Thread.sleep(300);
        assertThat(s.task().exit()).isNotDone();
        s.task().kill();
        var exit = s.task().exit().get(10, TimeUnit.SECONDS);
        assertThat(exit.signal()).isEqualTo(9);
        assertThat(children).allMatch(p -> !p.isAlive());
        assertNothingLeft(s.id());
    }

    @Test
    @DisplayName("after a normal exit and after an OOM kill nothing is left")
    void nothingLeftAfterExitOrOom() throws Exception {
        var ok = node.start(task("true"));
        assertThat(ok.task().exit().get(10, TimeUnit.SECONDS).success()).isTrue();
        assertNothingLeft(ok.id());
        var oom = node.start(LimitsTest.limited(LimitsTest.res("1", "16Mi", 16, dev.berth.model.spec.IoLimits.UNLIMITED),
                "sh", "-c", "a=xxxxxxxx; while true; do a=$a$a; done"));
        assertThat(oom.task().exit().get(30, TimeUnit.SECONDS).oomKilled()).isTrue();
        assertNothingLeft(oom.id());
    }

    static final dev.berth.executor.network.NetworkConfig CRASH_NETWORK = dev.berth.executor.TestNetworks.of("crash0", 2);
    static final java.util.Map<String, Object> CRASH_SETTINGS = dev.berth.executor.TestNetworks.settings("crash0", 2);

    @Test
    @DisplayName("after the executor is killed, the next one finds its container, stops it and removes everything")
    void crashAndRestart() throws Exception {
        Path dataDir = Files.createTempDirectory("berth-crash-");
        String parent = "berth-test-crash";
        String id = "crashed00001";
        var cmd = new ArrayList<String>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashingNode.class.getName(), dataDir.toString(), parent, id));
        Process crashing = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long containerPid;
        try (var out = new BufferedReader(new InputStreamReader(crashing.getInputStream()))) {
            String line;
            String seen = "";
            while ((line = out.readLine()) != null && !line.startsWith("started ")) seen += line + "\n";
            assertThat(line).as(seen).isNotNull();
            containerPid = Long.parseLong(line.substring(8).trim());
        }
        crashing.destroyForcibly();
        crashing.waitFor(10, TimeUnit.SECONDS);
        assertThat(ProcessHandle.of(containerPid).map(ProcessHandle::isAlive)).as("the container outlives its executor").contains(true);

        var config = ExecutorConfig.of("restarted", dataDir).with("cgroupParent", parent).with(CRASH_SETTINGS);
        var runtime = NodeRuntime.create(config);
        try {
            assertThat(runtime.network().leases()).as("the address table outlives the executor").containsKey(id);
            String veth = runtime.network().leases().get(id).hostVeth();
            assertThat(runtime.recover()).containsExactly(id);
            assertThat(runtime.network().leases()).isEmpty();
            runtime.network().settle();
            try (var rtnl = dev.berth.executor.netlink.Rtnl.open()) {
                assertThat(rtnl.link(veth)).as("the crashed container's veth").isEmpty();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(containerPid).map(p -> !p.isAlive()).orElse(true));
            assertThat(dataDir.resolve("containers").resolve(id)).doesNotExist();
            assertThat(Path.of("/sys/fs/cgroup/memory", parent, id)).doesNotExist();
            assertThat(runtime.recover()).isEmpty();
        } finally {
            runtime.close();
            dev.berth.executor.Trees.delete(dataDir);
        }
        assertThat(Path.of("/sys/fs/cgroup/memory", parent)).doesNotExist();
        try (var rtnl = dev.berth.executor.netlink.Rtnl.open()) {
            assertThat(rtnl.link(CRASH_NETWORK.bridge())).as("the bridge, once the node stopped").isEmpty();
        }
    }
}
