package dev.berth.executor.container;

import static dev.berth.executor.container.ContainerFixture.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a task sees from inside its container, on the real kernel (tests run as root). */
class IsolationTest extends ContainerTestBase {

    static TaskSpec user(TaskSpec t, String user) {
        return t.withUser(user);
    }

    static TaskSpec readOnly(TaskSpec t) {
        return t.withReadOnlyRootfs(true);
    }

    @Test
    @DisplayName("the task is PID 1 and /proc and ps show no host process")
    void pid1() throws Exception {
        var r = node.run(task("sh", "-c", "echo pid=$$; ls /proc | grep -cE '^[0-9]+$'; ps -o pid,comm | wc -l"));
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exit().code()).isZero();
        var lines = r.stdout().lines().toList();
        assertThat(lines.getFirst()).isEqualTo("pid=1");
        assertThat(Integer.parseInt(lines.get(1).trim())).as("processes in /proc").isBetween(1, 4);
        assertThat(Integer.parseInt(lines.get(2).trim())).as("ps lines, header included").isBetween(2, 5);
    }

    @Test
    @DisplayName("the hostname is the container's own, and /etc/hostname and /etc/hosts say so")
    void hostname() throws Exception {
        var r = node.run(task("sh", "-c", "hostname; cat /etc/hostname; grep -c \"$(hostname)\" /etc/hosts"));
        var lines = r.stdout().lines().toList();
        assertThat(lines.getFirst()).startsWith("t").hasSize(12).isNotEqualTo(dev.berth.executor.ProcFiles.readTrimmed(Path.of("/proc/sys/kernel/hostname")));
        assertThat(lines.get(1)).isEqualTo(lines.getFirst());
        assertThat(lines.get(2)).isEqualTo("1");
    }

    @Test
    @DisplayName("a file created on the host's / is absent inside")
    void hostRootInvisible() throws Exception {
        Path marker = Path.of("/berth-test-marker-" + UUID.randomUUID());
        Files.writeString(marker, "host");
        try {
            var r = node.run(task("sh", "-c", "test -e " + marker + " && echo visible || echo absent"));
            assertThat(r.stdout()).isEqualTo("absent\n");
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    @Test
    @DisplayName("a SysV shared memory segment made on the host is invisible inside")
    void ipcIsolated() throws Exception {
        var mk = new ProcessBuilder("ipcmk", "-M", "4096").start();
        String out = new String(mk.getInputStream().readAllBytes());
        mk.waitFor(10, TimeUnit.SECONDS);
        String id = out.replaceAll("\\D+", " ").trim().split(" ")[0];
        try {
            assertThat(Files.readString(Path.of("/proc/sysvipc/shm"))).contains(" " + id + " ");
            var r = node.run(task("sh", "-c", "cat /proc/sysvipc/shm | wc -l"));
            assertThat(r.stdout().trim()).isEqualTo("1"); // the header line only
        } finally {
            new ProcessBuilder("ipcrm", "-m", id).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("hardening: default capabilities (Docker's less NET_RAW), no_new_privs, seccomp filter mode")
    void hardening() throws Exception {
        var r = node.run(task("sh", "-c", "grep -E '^(CapEff|CapBnd|CapPrm|CapInh|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status"));
        assertThat(r.stdout()).contains("CapEff:\t00000000a80405fb", "CapBnd:\t00000000a80405fb", "CapPrm:\t00000000a80405fb",
                "CapInh:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2");
    }

    @Test
    @DisplayName("mount and unshare fail with EPERM, even for root in the container")
    void mountAndUnshareDenied() throws Exception {
        var r = node.run(task("sh", "-c", "mount -t tmpfs none /tmp; echo mount=$?; unshare -n true; echo unshare=$?"));
        assertThat(r.stdout()).contains("mount=", "unshare=").doesNotContain("mount=0", "unshare=0");
        assertThat(r.stderr()).contains("Operation not permitted");
    }

    @Test
    @DisplayName("seccomp: unconfined opts out of the filter")
    void unconfined() throws Exception {
        var t = task("grep", "Seccomp:", "/proc/self/status").withSeccomp("unconfined");
        assertThat(node.run(t).stdout()).isEqualTo("Seccomp:\t0\n");
    }

    @Test
    @DisplayName("only fds 0, 1 and 2 reach the task")
    void noExecutorFds() throws Exception {
        // ls, a child of the shell, lists the fds of the shell (PID 1) while the shell waits with nothing else open
        var r = node.run(task("sh", "-c", "ls /proc/1/fd; true"));
        assertThat(r.stdout().lines().toList()).containsExactly("0", "1", "2");
    }

    @Test
    @DisplayName("the task runs as the given uid:gid, with no capabilities")
    void runsAsUser() throws Exception {
        var r = node.run(user(task("sh", "-c", "id -u; id -g; grep CapEff /proc/self/status"), "1000:1000"));
        assertThat(r.stdout()).isEqualTo("1000\n1000\nCapEff:\t0000000000000000\n");
        var named = node.run(user(task("id", "-un"), "user"));
        assertThat(named.stdout()).isEqualTo("user\n");
    }

    @Test
    @DisplayName("writes to a read-only rootfs fail")
    void readOnlyRootfs() throws Exception {
        var r = node.run(readOnly(task("sh", "-c", "touch /written 2>&1; echo rc=$?")));
        assertThat(r.stdout()).contains("Read-only file system", "rc=1");
    }

    @Test
    @DisplayName("the writable layer of one container is not seen by another from the same image")
    void writableLayersAreSeparate() throws Exception {
        var first = node.run(task("sh", "-c", "echo mine > /etc/written && cat /etc/written"));
        assertThat(first.stdout()).isEqualTo("mine\n");
        var second = node.run(task("sh", "-c", "test -e /etc/written && echo seen || echo unseen"));
        assertThat(second.stdout()).isEqualTo("unseen\n");
        assertThat(Files.exists(node.images.layerDir(node.images.find("busybox:test").orElseThrow().layers().getFirst()).resolve("etc/written"))).isFalse();
    }

    @Test
    @DisplayName("no host binary or host directory is reachable through /proc (the runtime never enters the container)")
    void noHostBinaryThroughProc() throws Exception {
        var r = node.run(task("sh", "-c", "for p in /proc/[0-9]*; do readlink $p/exe; readlink $p/cwd; readlink $p/root; done | sort -u"));
        assertThat(r.stdout().lines().toList()).containsExactlyInAnyOrder("/", "/bin/busybox");
    }

    @Test
    @DisplayName("masked /proc paths are empty and /proc/sys is read-only")
    void procMasks() throws Exception {
        var present = Launcher.MASKED.stream().filter(p -> Files.isRegularFile(Path.of(p))).toList();
        assertThat(present).isNotEmpty();
        var r = node.run(task("sh", "-c", "for f in " + String.join(" ", present) + "; do echo \"$f $(cat $f | wc -c)\"; done;"
                + " echo 1 > /proc/sys/kernel/domainname 2>/dev/null; echo write=$?"));
        var expected = new java.util.ArrayList<String>();
        present.forEach(p -> expected.add(p + " 0"));
        expected.add("write=1");
        assertThat(r.stdout().lines().toList()).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("an unknown image or executable fails the start with that reason")
    void unknownImageOrCommand() throws Exception {
        var t = task("true");
        var missing = t.withImage("nope:1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.start(missing))
                .hasMessageContaining("image nope:1 is not on this node");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.start(task("no-such-program")))
                .hasMessageContaining("executable \"no-such-program\" is not in the image's PATH");
    }

    @Test
    @DisplayName("volumes: an allowed host path is mounted read-only by default; others are refused")
    void volumes() throws Exception {
        Files.writeString(node.volumes.resolve("data.txt"), "from the host");
        var t = task("sh", "-c", "cat /data/data.txt; echo x > /data/new 2>/dev/null; echo write=$?");
        var withVolume = t.withVolumes(List.of(new TaskSpec.Volume(node.volumes.toString(), "/data", true)));
        assertThat(node.run(withVolume).stdout()).isEqualTo("from the hostwrite=1\n");
        var outside = t.withVolumes(List.of(new TaskSpec.Volume("/etc", "/data", true)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.start(outside)).hasMessageContaining("volume /etc is not under a host path this node allows");
    }
}
