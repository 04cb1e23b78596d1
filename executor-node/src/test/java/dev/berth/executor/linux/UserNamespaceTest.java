package dev.berth.executor.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user namespace from this multithreaded JVM, and a posix_spawn child moved into it at its gate, on the real kernel. */
class UserNamespaceTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("clone makes a user namespace with its maps; a child waiting at its gate joins it and takes uid 0 there, host uid the base")
    void childJoinsNamespace() throws Exception {
        int ns = UserNamespace.create(300_000, 65_536);
        Path gate = dir.resolve("gate");
        Sys.mknod(gate.toString(), Sys.S_IFIFO | 0666, 0);
        // once in the namespace the child is host uid 300000: it must still reach its gate to open it again
        Sys.chmod(dir.toString(), 0755);
        Sys.chmod(gate.toString(), 0666);
        Path out = dir.resolve("out");
        int stdout = Sys.open(out.toString(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_CLOEXEC, 0644);
        int devnull = Sys.open("/dev/null", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
        Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        var spawned = CompletableFuture.supplyAsync(() -> Spawn.spawn(new Spawn.Plan("/bin/busybox",
                List.of("sh", "-c", "id -u; id -g; cat /proc/self/uid_map; cat /proc/self/status | grep CapEff; echo $$"),
                List.of("PATH=/bin"), gate.toString(), devnull, stdout, stdout, null, ns)));
        long child = -1;
        while (child < 0) {
            child = ProcessHandle.current().children().map(ProcessHandle::pid).filter(p -> !before.contains(p)).findFirst().orElse(-1L);
            Thread.onSpinWait();
        }
        long[] r = Ptrace.inject((int) child, Sys.NR_OPENAT, List.of(
                new Ptrace.Call("setns", Sys.NR_SETNS, Spawn.PASSED_FD, Sys.CLONE_NEWUSER),
                new Ptrace.Call("setgroups", Sys.NR_SETGROUPS, 0, 0),
                new Ptrace.Call("setresgid", Sys.NR_SETRESGID, 0, 0, 0),
                new Ptrace.Call("setresuid", Sys.NR_SETRESUID, 0, 0, 0),
                new Ptrace.Call("close", Sys.NR_CLOSE, Spawn.PASSED_FD)), 5_000);
        assertThat(r).containsOnly(0L);
        int w;
        while ((w = Sys.tryOpen(gate.toString(), Sys.O_WRONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC, 0)) < 0) {
            if (spawned.isDone()) spawned.get(); // the child failed at its gate: say why
            Thread.onSpinWait();
        }
        Sys.close(w);
        int pid = spawned.get();
        int pidfd = Sys.pidfdOpen(pid);
        int[] exit = Sys.waitPidfd(pidfd);
        Sys.close(pidfd);
        Sys.close(ns);
        Sys.close(stdout);
        Sys.close(devnull);
        String text = Files.readString(out);
        System.out.println(text);
        assertThat(exit[0]).isZero();
        assertThat(text).startsWith("0\n0\n").containsPattern("\\s+0\\s+300000\\s+65536");
    }
}
