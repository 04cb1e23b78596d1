package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * System calls made in another process that waits in a system call of its own: what a debugger
 * does to call a function in its inferior, reduced to {@code syscall} instructions. The tracee is
 * stopped ({@code PTRACE_SEIZE} + {@code PTRACE_INTERRUPT}) while blocked in the call the caller
 * names; each injected call reuses the {@code syscall} instruction it is blocked at (nothing is
 * written to its memory) and runs by a single step; then its registers are put back and it is let
 * go, and the kernel restarts the call it was interrupted in. x86_64 only.
 *
 * <p>Used on posix_spawn's child (it shares the JVM's memory, so pointers to the JVM's native
 * memory are valid in it) while it waits at its gate: it is single-threaded with a fs of its own,
 * which is what {@code setns} into a user namespace asks, and no Java runs in it.
 */
public final class Ptrace {
    static final int NR_PTRACE = 101, NR_WAIT4 = 61;
    static final int PTRACE_PEEKTEXT = 1, PTRACE_CONT = 7, PTRACE_SINGLESTEP = 9, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13,
            PTRACE_DETACH = 17, PTRACE_SEIZE = 0x4206, PTRACE_INTERRUPT = 0x4207;
    static final int WALL = 0x40000000, SIGTRAP = 5;
    /** user_regs_struct, in longs. */
    static final int REGS = 27, R10 = 7, R9 = 8, R8 = 9, RAX = 10, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16;
    private static final long ERESTARTSYS = -512;

    private Ptrace() {
    }

    /** One call to make: its number and up to six arguments. */
    public record Call(String name, long nr, long... args) {
    }

    /**
     * Waits (up to {@code timeoutMs}) until {@code pid} is blocked in system call {@code blockedIn},
     * then makes {@code calls} in it one by one and lets it go on with its own call. Returns each
     * call's result; a call that fails throws, naming it, after the tracee was let go.
     */
    public static long[] inject(int pid, long blockedIn, List<Call> calls, long timeoutMs) throws InterruptedException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment saved = a.allocate(REGS * 8L, 8), regs = a.allocate(REGS * 8L, 8), status = a.allocate(4), word = a.allocate(8, 8);
            Native.syscall("ptrace(SEIZE) " + pid, NR_PTRACE, PTRACE_SEIZE, pid, 0, 0, 0);
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            try {
                while (true) {
                    Native.syscall("ptrace(INTERRUPT) " + pid, NR_PTRACE, PTRACE_INTERRUPT, pid, 0, 0, 0);
                    awaitStop(pid, status);
                    Native.syscall("ptrace(GETREGS)", NR_PTRACE, PTRACE_GETREGS, pid, 0, saved.address(), 0);
                    if (reg(saved, ORIG_RAX) == blockedIn && reg(saved, RAX) == ERESTARTSYS) break;
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("process " + pid + " did not block in system call " + blockedIn + " within " + timeoutMs
                                + " ms (it is in " + reg(saved, ORIG_RAX) + ")");
                    }
                    Native.syscall("ptrace(CONT)", NR_PTRACE, PTRACE_CONT, pid, 0, 0, 0);
                    Thread.sleep(0, 200_000);
                }
                long rip = reg(saved, RIP);
                // the raw call stores the word at data (glibc's wrapper returns it)
                Native.syscall("ptrace(PEEKTEXT)", NR_PTRACE, PTRACE_PEEKTEXT, pid, rip - 2, word.address(), 0);
                if ((word.get(ValueLayout.JAVA_LONG, 0) & 0xffff) != 0x050f) throw new IllegalStateException("process " + pid + " is not at a syscall instruction");
                long[] results = new long[calls.size()];
                List<String> failed = new ArrayList<>();
                for (int i = 0; i < calls.size() && failed.isEmpty(); i++) {
                    Call c = calls.get(i);
                    MemorySegment.copy(saved, 0, regs, 0, REGS * 8L);
                    set(regs, RAX, c.nr());
                    set(regs, ORIG_RAX, -1); // not in a call: no restart of the interrupted one on the way out
                    set(regs, RIP, rip - 2);
                    int[] order = {RDI, RSI, RDX, R10, R8, R9};
                    for (int k = 0; k < c.args().length; k++) set(regs, order[k], c.args()[k]);
                    Native.syscall("ptrace(SETREGS)", NR_PTRACE, PTRACE_SETREGS, pid, 0, regs.address(), 0);
                    Native.syscall("ptrace(SINGLESTEP)", NR_PTRACE, PTRACE_SINGLESTEP, pid, 0, 0, 0);
                    int sig = awaitStop(pid, status);
                    if (sig != SIGTRAP) throw new IllegalStateException("process " + pid + " stopped with signal " + sig + " in " + c.name());
                    Native.syscall("ptrace(GETREGS)", NR_PTRACE, PTRACE_GETREGS, pid, 0, regs.address(), 0);
                    results[i] = reg(regs, RAX);
                    if (results[i] < 0 && results[i] > -4096) failed.add(c.name() + ": " + Errno.name((int) -results[i]));
                }
                // its own registers again: the kernel restarts the call it was blocked in (ERESTARTSYS)
                Native.syscall("ptrace(SETREGS)", NR_PTRACE, PTRACE_SETREGS, pid, 0, saved.address(), 0);
                if (!failed.isEmpty()) throw new IllegalStateException("in process " + pid + ", " + failed.getFirst());
                return results;
            } finally {
                Native.trySyscall(NR_PTRACE, PTRACE_DETACH, pid, 0, 0, 0);
            }
        }
    }

    /** Waits for the tracee's next stop; returns its signal. */
    private static int awaitStop(int pid, MemorySegment status) {
        while (true) {
            long r = Native.trySyscall(NR_WAIT4, pid, status.address(), WALL, 0, 0);
            if (r == -Errno.EINTR) continue;
            if (r < 0) throw new LinuxException("wait4 " + pid, (int) -r);
            int s = status.get(ValueLayout.JAVA_INT, 0);
            if ((s & 0xff) != 0x7f) throw new IllegalStateException("process " + pid + " ended while traced (status " + s + ")");
            return (s >> 8) & 0xff;
        }
    }

    private static long reg(MemorySegment regs, int index) {
        return regs.getAtIndex(ValueLayout.JAVA_LONG, index);
    }

    private static void set(MemorySegment regs, int index, long value) {
        regs.setAtIndex(ValueLayout.JAVA_LONG, index, value);
    }
}
