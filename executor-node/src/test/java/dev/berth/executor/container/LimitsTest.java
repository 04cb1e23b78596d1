package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** cgroup limits hold on the real kernel (v1 here; v2 where the host runs it). */
class LimitsTest extends ContainerTestBase {

    static TaskSpec limited(Resources r, String... command) {
        return TaskSpec.basic("t", "busybox:test", List.of(command), r);
    }

    static Resources res(String cpu, String memory, long pids, IoLimits io) {
        return new Resources(Cpu.parse(cpu), ByteSize.parse(memory), pids, io, Map.of());
    }

    @Test
    @DisplayName("a memory hog is OOM-killed and reported as such")
    void oomKilled() throws Exception {
        var r = node.run(limited(res("1", "32Mi", 64, IoLimits.UNLIMITED), "sh", "-c", "a=xxxxxxxx; while true; do a=$a$a; done"));
        assertThat(r.exit().oomKilled()).isTrue();
        assertThat(r.exit().signal()).isEqualTo(9);
        assertThat(r.exit().success()).isFalse();
    }

    @Test
    @DisplayName("a fork bomb stops at pids.max")
    void forkBomb() throws Exception {
        var r = node.run(limited(res("1", "128Mi", 16, IoLimits.UNLIMITED), "sh", "-c",
                "i=0; while [ $i -lt 60 ]; do sleep 2 & i=$((i+1)); done; wait"));
        assertThat(r.stderr()).contains("can't fork");
        assertThat(r.exit().signal()).as("the shell ended by itself, not by a kill").isNull();
    }

    @Test
    @DisplayName("cpu 500m gives about half a core, by the cgroup's own accounting")
    void halfACore() throws Exception {
        var s = node.start(limited(res("500m", "64Mi", 16, IoLimits.UNLIMITED), "sh", "-c", "while :; do :; done"));
        try {
            Path usage = cpuacct(s.id());
            Thread.sleep(1000);
            long u0 = Long.parseLong(Files.readString(usage).trim());
            long t0 = System.nanoTime();
            Thread.sleep(4000);
            long u1 = Long.parseLong(Files.readString(usage).trim());
            double share = (double) (u1 - u0) / (System.nanoTime() - t0);
            assertThat(share).as("cores used").isBetween(0.4, 0.6);
        } finally {
            s.task().kill();
            s.task().exit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("an io write limit holds for direct writes")
    void ioThrottled() throws Exception {
        var io = new IoLimits(ByteSize.ZERO, ByteSize.parse("1Mi"), 0, 0);
        long t0 = System.nanoTime();
        var r = node.run(limited(res("1", "64Mi", 16, io), "dd", "if=/dev/zero", "of=/tmp/f", "bs=64k", "count=32", "oflag=direct"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exit().code()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("32+0 records out");
        assertThat(seconds).as("seconds to write 2 MiB at 1 MiB/s").isGreaterThan(1.4);
    }

    static Path cpuacct(String id) {
        Path v1 = Path.of("/sys/fs/cgroup/cpuacct", ContainerFixture.CGROUP_PARENT, id, "cpuacct.usage");
        return v1;
    }
}
