package dev.berth.executor.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** cgroup v1 and v2 on the real kernel, as far as this host offers them, plus v2's files on a temp dir. */
class CgroupsTest {
    static final CgroupLimits LIMITS = new CgroupLimits(500, 64L << 20, 32, "254:0", 0, 1 << 20, 0, 100);

    @Test
    @DisplayName("limits in kernel units: quota, shares, weight")
    void units() {
        assertThat(LIMITS.cpuQuotaMicros()).isEqualTo(50_000);
        assertThat(LIMITS.cpuShares()).isEqualTo(512);
        assertThat(LIMITS.cpuWeight()).isEqualTo(20);
        assertThat(new CgroupLimits(2000, 0, 0, null, 0, 0, 0, 0).cpuShares()).isEqualTo(2048);
    }

    @Test
    @DisplayName("detection finds the host's layout")
    void detect() throws Exception {
        var c = Cgroups.detect("berth-test-detect");
        assertThat(c.controllers()).contains("cpu", "memory", "pids");
        assertThat(c.toString()).contains("cgroup");
    }

    @Test
    @DisplayName("v1: the limits land in the controllers' files, a process joins, and everything is removed")
    void v1OnTheRealKernel() throws Exception {
        var cgroups = Cgroups.detect("berth-test-v1");
        org.junit.jupiter.api.Assumptions.assumeTrue(cgroups.version() == Cgroups.Version.V1, "host runs cgroup v2");
        Cgroup cg = cgroups.create("c1");
        Process sleeper = null;
        try {
            var limits = new CgroupLimits(500, 64L << 20, 32, null, 0, 0, 0, 0);
            cg.apply(limits);
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu/berth-test-v1/c1/cpu.cfs_quota_us")).trim()).isEqualTo("50000");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/berth-test-v1/c1/memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(64L << 20));
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/berth-test-v1/c1/pids.max")).trim()).isEqualTo("32");
            sleeper = new ProcessBuilder("sleep", "30").start();
            cg.attachProcess(sleeper.pid());
            assertThat(cg.processes()).containsExactly(sleeper.pid());
            assertThat(cgroups.existing()).containsExactly("c1");
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly();
                sleeper.waitFor(10, TimeUnit.SECONDS);
            }
            cg.remove();
            cgroups.removeParentIfEmpty();
        }
        assertThat(Files.exists(Path.of("/sys/fs/cgroup/memory/berth-test-v1"))).isFalse();
    }

    @Test
    @DisplayName("v2 on the real kernel: create, attach, refuse a limit whose controller is absent, remove")
    void v2OnTheRealKernel() throws Exception {
        Path root = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/unified");
        assertThat(root.resolve("cgroup.controllers")).as("a cgroup2 mount").exists();
        var available = List.of(Files.readString(root.resolve("cgroup.controllers")).trim().split("\\s+"));
        CgroupV2 cg = CgroupV2.create(root, "berth-test-v2", "c1");
        Process sleeper = null;
        try {
            sleeper = new ProcessBuilder("sleep", "30").start();
            cg.attachProcess(sleeper.pid());
            assertThat(cg.processes()).containsExactly(sleeper.pid());
            if (!available.contains("cpu")) {
                assertThatThrownBy(() -> cg.apply(LIMITS)).hasMessageContaining("controller \"cpu\" is not available here");
            } else {
                cg.apply(new CgroupLimits(500, 64L << 20, 32, null, 0, 0, 0, 0));
                assertThat(Files.readString(root.resolve("berth-test-v2/c1/cpu.max")).trim()).isEqualTo("50000 100000");
            }
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly();
                sleeper.waitFor(10, TimeUnit.SECONDS);
            }
            cg.remove();
            CgroupFiles.rmdir(root.resolve("berth-test-v2"));
        }
        assertThat(root.resolve("berth-test-v2")).doesNotExist();
    }

    @Test
    @DisplayName("v2 writes cpu.max, cpu.weight, memory.max, memory.swap.max, pids.max and io.max (files on a temp dir)")
    void v2Files() throws Exception {
        Path root = Files.createTempDirectory("berth-cg2-");
        try {
            Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
            Files.writeString(root.resolve("cgroup.subtree_control"), "");
            Path parent = Files.createDirectories(root.resolve("berth"));
            Files.writeString(parent.resolve("cgroup.subtree_control"), "");
            Path dir = Files.createDirectories(parent.resolve("c1"));
            for (String f : List.of("cpu.max", "cpu.weight", "memory.max", "memory.swap.max", "pids.max", "io.max")) Files.writeString(dir.resolve(f), "");
            var cg = CgroupV2.create(root, "berth", "c1");
            cg.apply(LIMITS);
            assertThat(cg.written()).containsEntry("cpu.max", "50000 100000").containsEntry("cpu.weight", "20")
                    .containsEntry("memory.max", "67108864").containsEntry("memory.swap.max", "0").containsEntry("pids.max", "32")
                    .containsEntry("io.max", "254:0 wbps=1048576 wiops=100");
            assertThat(Files.readString(dir.resolve("io.max"))).isEqualTo("254:0 wbps=1048576 wiops=100");
        } finally {
            Trees.delete(root);
        }
    }
}
