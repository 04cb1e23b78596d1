package dev.berth.executor.container;

import static dev.berth.executor.container.ContainerFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.executor.cgroup.Cgroups;
import dev.berth.model.spec.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * User namespaces on the real kernel: root inside, an unprivileged range of host ids outside. The
 * ranges start at the node's base, 100000, {@link UserRanges#SIZE} ids each.
 */
class UsernsTest extends ContainerTestBase {
    static final long BASE = ContainerPlanner.NodeRules.DEFAULT_USERNS_BASE;

    static TaskSpec userns(String... command) {
        return task(command).withUserns(true);
    }

    @Test
    @DisplayName("root inside, mapped to the range's base; the image's files are root's inside (id-mapped layers); what it writes to a volume is the base's on the host")
    void rootInsideNobodyOutside() throws Exception {
        Path rw = Files.createDirectories(node.volumes.resolve("rw-" + System.nanoTime()));
        Files.setPosixFilePermissions(rw, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        var r = node.run(userns("sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c '%u:%g' /bin/busybox /;"
                + " touch /data/made-inside /made-in-rootfs && echo wrote")
                .withVolumes(List.of(new TaskSpec.Volume(rw.toString(), "/data", false))));
        assertThat(r.exit().code()).as(r.stderr()).isZero();
        var lines = r.stdout().lines().map(String::strip).toList();
        assertThat(lines).startsWith("0", "0");
        assertThat(lines.get(2).split("\\s+")).containsExactly("0", String.valueOf(BASE), "65536");
        assertThat(lines.get(3).split("\\s+")).containsExactly("0", String.valueOf(BASE), "65536");
        assertThat(lines).contains("0:0", "wrote"); // busybox and / owned by root inside
        assertThat(Files.getAttribute(rw.resolve("made-inside"), "unix:uid")).isEqualTo((int) BASE);
        assertThat(Files.getAttribute(rw.resolve("made-inside"), "unix:gid")).isEqualTo((int) BASE);
    }

    @Test
    @DisplayName("what it writes to its rootfs lands in the writable layer owned by the base on the host")
    void writableLayerOwnedByRange() throws Exception {
        var s = node.start(userns("sh", "-c", "echo hi > /written && mkdir /made && sleep 30"));
        try {
            Path upper = node.dataDir.resolve("containers").resolve(s.id()).resolve("upper");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(upper.resolve("made")));
            for (String f : List.of("written", "made")) {
                assertThat(Files.getAttribute(upper.resolve(f), "unix:uid")).as(f).isEqualTo((int) BASE);
                assertThat(Files.getAttribute(upper.resolve(f), "unix:gid")).as(f).isEqualTo((int) BASE);
            }
        } finally {
            s.task().kill();
            s.task().exit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a host file of mode 0600 owned by host root is unreadable through a volume (and readable without a user namespace)")
    void hostRootFileUnreadable() throws Exception {
        Path dir = Files.createDirectories(node.volumes.resolve("secret-" + System.nanoTime()));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = Files.writeString(dir.resolve("key"), "host secret\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        var volume = List.of(new TaskSpec.Volume(dir.toString(), "/secret", true));
        var inside = node.run(userns("sh", "-c", "cat /secret/key; echo rc=$?").withVolumes(volume));
        assertThat(inside.stdout()).contains("rc=1").doesNotContain("host secret");
        assertThat(inside.stderr()).contains("Permission denied");
        var without = node.run(task("sh", "-c", "cat /secret/key").withVolumes(volume));
        assertThat(without.stdout()).as("the control: root without a user namespace is host root").contains("host secret");
    }

    @Test
    @DisplayName("two containers at once get different ranges; each is free again once its container ended")
    void rangesPerContainer() throws Exception {
        var a = node.start(userns("sleep", "30"));
        var b = node.start(userns("sleep", "30"));
        try {
            var held = node.runtime.userRanges();
            assertThat(held).containsKeys(a.id(), b.id());
            assertThat(held.get(a.id())).isNotEqualTo(held.get(b.id()));
            assertThat(List.of(held.get(a.id()), held.get(b.id()))).allMatch(first -> first >= BASE && (first - BASE) % UserRanges.SIZE == 0);
            // as the host sees the processes
            for (var s : List.of(a, b)) {
                String map = Files.readString(Path.of("/proc/" + s.task().pid() + "/uid_map")).strip();
                assertThat(map.split("\\s+")).containsExactly("0", String.valueOf(held.get(s.id())), "65536");
            }
        } finally {
            for (var s : List.of(a, b)) {
                s.task().kill();
                s.task().exit().get(10, TimeUnit.SECONDS);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.runtime.userRanges().containsKey(a.id()) && !node.runtime.userRanges().containsKey(b.id()));
        var again = node.start(userns("true"));
        assertThat(node.runtime.userRanges().get(again.id())).as("the lowest free range, the first one again").isEqualTo(BASE);
        again.task().exit().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("after an executor crash, the next executor on the same data dir ends the containers it left and frees their ranges")
    void rangesFreedAfterCrash() throws Exception {
        var left = node.start(userns("sleep", "30"));
        assertThat(Files.readString(node.dataDir.resolve("userns.tsv"))).contains(left.id());
        // the executor that comes after the crash: a new runtime over the same data dir
        var next = new ContainerRuntime(node.dataDir, node.images, Cgroups.detect(ContainerFixture.CGROUP_PARENT), node.rules(false), node.network, null);
        assertThat(next.userRanges()).containsKey(left.id());
        assertThat(next.cleanLeftovers()).contains(left.id());
        assertThat(next.userRanges()).isEmpty();
        assertThat(Files.readString(node.dataDir.resolve("userns.tsv"))).doesNotContain(left.id());
        left.task().exit().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("root in the container binds a port below 1024 (its network namespace lets it) and holds only its own capabilities there")
    void capabilitiesAreTheContainers() throws Exception {
        var r = node.run(userns("sh", "-c", "grep CapEff /proc/self/status; (nc -l -p 80 & sleep 0.3; kill $!) && echo bound; ls /root >/dev/null && echo home"));
        assertThat(r.stdout()).contains("CapEff:\t00000000a80405fb", "bound");
    }
}
