package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * glibc's posix_spawn: the child is made with clone(CLONE_VM|CLONE_VFORK) and runs no Java, so it
 * is safe from a multithreaded JVM; it starts in the calling thread's namespaces, root and credentials.
 * The posix_spawn functions return an error number instead of setting errno.
 */
public final class Spawn {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT;
    private static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;
    private static final MethodHandle FA_INIT = Native.function("posix_spawn_file_actions_init", FunctionDescriptor.of(I, P));
    private static final MethodHandle FA_DESTROY = Native.function("posix_spawn_file_actions_destroy", FunctionDescriptor.of(I, P));
    private static final MethodHandle FA_OPEN = Native.function("posix_spawn_file_actions_addopen", FunctionDescriptor.of(I, P, I, P, I, I));
    private static final MethodHandle FA_DUP2 = Native.function("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(I, P, I, I));
    private static final MethodHandle FA_CLOSE = Native.function("posix_spawn_file_actions_addclose", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle FA_CHDIR = Native.function("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(I, P, P));
    private static final MethodHandle FA_CLOSEFROM = Native.function("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle AT_INIT = Native.function("posix_spawnattr_init", FunctionDescriptor.of(I, P));
    private static final MethodHandle AT_DESTROY = Native.function("posix_spawnattr_destroy", FunctionDescriptor.of(I, P));
    private static final MethodHandle AT_FLAGS = Native.function("posix_spawnattr_setflags", FunctionDescriptor.of(I, P, S));
    private static final MethodHandle AT_SIGMASK = Native.function("posix_spawnattr_setsigmask", FunctionDescriptor.of(I, P, P));
    private static final MethodHandle AT_SIGDEFAULT = Native.function("posix_spawnattr_setsigdefault", FunctionDescriptor.of(I, P, P));
    private static final MethodHandle SIGEMPTY = Native.function("sigemptyset", FunctionDescriptor.of(I, P));
    private static final MethodHandle SIGFILL = Native.function("sigfillset", FunctionDescriptor.of(I, P));
    private static final MethodHandle SPAWN = Native.function("posix_spawn", FunctionDescriptor.of(I, P, P, P, P, P, P));

    private static final short SETSIGDEF = 0x04, SETSIGMASK = 0x08, SETSID = 0x80;

    private Spawn() {
    }

    /**
     * What the child does between fork and exec: take its stdio and close every other fd, then open
     * {@code gate} (a FIFO, blocking until the runtime opens its other end) and close it, change dir.
     * {@code passFd} (-1: none) is the child's fd 3 while it waits at its gate, for calls made in it
     * there (see {@link Ptrace}); whoever passes it closes it in the child before the gate opens.
     */
    public record Plan(String path, List<String> argv, List<String> env, String gate, int stdin, int stdout, int stderr, String workdir, int passFd) {
        public Plan(String path, List<String> argv, List<String> env, String gate, int stdin, int stdout, int stderr, String workdir) {
            this(path, argv, env, gate, stdin, stdout, stderr, workdir, -1);
        }
    }

    /** The fd a passed fd has in the child. */
    public static final int PASSED_FD = 3;

    /** Spawns the child; returns its pid (in the caller's pid namespace). Blocks until the child has exec'd. */
    public static int spawn(Plan plan) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(256, 16);
            MemorySegment attr = a.allocate(512, 16);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(fa));
            check("posix_spawnattr_init", (int) AT_INIT.invokeExact(attr));
            try {
                check("adddup2 stdin", (int) FA_DUP2.invokeExact(fa, plan.stdin(), 0));
                check("adddup2 stdout", (int) FA_DUP2.invokeExact(fa, plan.stdout(), 1));
                check("adddup2 stderr", (int) FA_DUP2.invokeExact(fa, plan.stderr(), 2));
                // every inherited fd goes before the child waits at its gate: a child that never passes it
                // must not hold the JVM's files and pipes open
                int first = 3;
                if (plan.passFd() >= 0) {
                    check("adddup2 passed fd", (int) FA_DUP2.invokeExact(fa, plan.passFd(), PASSED_FD));
                    first = PASSED_FD + 1;
                }
                check("addclosefrom " + first, (int) FA_CLOSEFROM.invokeExact(fa, first));
                if (plan.gate() != null) {
                    check("addopen gate", (int) FA_OPEN.invokeExact(fa, first, a.allocateFrom(plan.gate()), Sys.O_RDONLY, 0));
                    check("addclosefrom " + first + " (the gate)", (int) FA_CLOSEFROM.invokeExact(fa, first));
                }
                if (plan.workdir() != null) check("addchdir " + plan.workdir(), (int) FA_CHDIR.invokeExact(fa, a.allocateFrom(plan.workdir())));

                MemorySegment empty = a.allocate(128, 8);
                MemorySegment all = a.allocate(128, 8);
                check("sigemptyset", (int) SIGEMPTY.invokeExact(empty));
                check("sigfillset", (int) SIGFILL.invokeExact(all));
                check("setsigmask", (int) AT_SIGMASK.invokeExact(attr, empty));
                check("setsigdefault", (int) AT_SIGDEFAULT.invokeExact(attr, all));
                check("setflags", (int) AT_FLAGS.invokeExact(attr, (short) (SETSID | SETSIGMASK | SETSIGDEF)));

                MemorySegment pid = a.allocate(I);
                int r = (int) SPAWN.invokeExact(pid, a.allocateFrom(plan.path()), fa, attr, strings(a, plan.argv()), strings(a, plan.env()));
                if (r != 0) throw new LinuxException("posix_spawn " + plan.path(), r);
                return pid.get(I, 0);
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(fa);
                ignored = (int) AT_DESTROY.invokeExact(attr);
            }
        } catch (LinuxException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawn " + plan.path() + ": " + t, t);
        }
    }

    private static MemorySegment strings(Arena a, List<String> values) {
        MemorySegment array = a.allocate(P, values.size() + 1);
        for (int i = 0; i < values.size(); i++) array.setAtIndex(P, i, a.allocateFrom(values.get(i)));
        array.setAtIndex(P, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String what, int r) {
        if (r != 0) throw new LinuxException(what, r);
    }
}
