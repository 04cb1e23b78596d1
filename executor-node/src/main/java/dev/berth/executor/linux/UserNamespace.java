package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A user namespace made from a multithreaded JVM, with no Java in any child: {@code unshare} and
 * {@code setns} of a user namespace are refused in a process with more than one thread, but
 * {@code clone(CLONE_NEWUSER)} is not. glibc's {@code clone} runs a C function in the child on a
 * stack of its own; that function here is libc's {@code syscall} with the number of {@code pause},
 * so the child (sharing the JVM's memory, as posix_spawn's does) does nothing but wait. The parent
 * writes its uid and gid maps, opens {@code /proc/PID/ns/user} — the fd keeps the namespace, maps
 * and all, after the child is gone — and kills it.
 */
public final class UserNamespace {
    private static final int SIGCHLD = 17, CLONE_VM = 0x100, NR_PAUSE = 34;
    private static final int STACK = 64 * 1024;
    private static final MethodHandle CLONE = Native.function("clone",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));
    private static final MemorySegment SYSCALL = Native.LIBC.find("syscall").orElseThrow();

    private UserNamespace() {
    }

    /**
     * A new user namespace whose ids 0…{@code size}-1 are the host's {@code hostBase}… (uids and
     * gids alike); returns an fd of it (O_CLOEXEC), the caller's to close.
     */
    public static int create(long hostBase, long size) {
        int pid;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment stack = a.allocate(STACK, 16);
            MemorySegment top = stack.asSlice(STACK - 64); // the stack grows down from here; glibc puts fn and arg just below
            MemorySegment state = Native.errnoState(a);
            pid = (int) CLONE.invokeExact(state, SYSCALL, top, Sys.CLONE_NEWUSER | CLONE_VM | SIGCHLD, MemorySegment.ofAddress(NR_PAUSE));
            if (pid < 0) throw new LinuxException("clone(CLONE_NEWUSER)", Native.errno(state));
            int pidfd = Sys.pidfdOpen(pid);
            try {
                String map = "0 " + hostBase + " " + size + "\n";
                Sys.writeFile("/proc/" + pid + "/uid_map", map);
                Sys.writeFile("/proc/" + pid + "/gid_map", map);
                return Sys.open("/proc/" + pid + "/ns/user", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
            } finally {
                // the child ran only libc's syscall(): SIGKILL ends it wherever it is; reaped before its stack goes
                Sys.pidfdSignal(pidfd, Sys.SIGKILL);
                Sys.waitPidfd(pidfd);
                Sys.close(pidfd);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("clone(CLONE_NEWUSER): " + t, t);
        }
    }
}
