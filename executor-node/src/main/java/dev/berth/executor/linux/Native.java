package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one door to libc. Raw system calls go through {@code syscall(2)} (glibc's own wrappers for
 * setuid and friends change every thread of the process, which is wrong for a launch thread), with
 * errno captured on the calling thread and turned into a {@link LinuxException} here and nowhere else.
 */
public final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(L, L, L, L, L, L, L, L),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    private Native() {
    }

    /** A libc function by name; its error convention is the caller's to handle. */
    static MethodHandle function(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd, options);
    }

    /** A libc function that sets errno on failure; call it through {@link #check}. */
    static MethodHandle errnoFunction(String name, FunctionDescriptor fd) {
        return function(name, fd, Linker.Option.captureCallState("errno"));
    }

    /** Calls {@code syscall(nr, a…)}; returns its result or throws with {@code operation} and errno. */
    public static long syscall(String operation, long nr, long a, long b, long c, long d, long e) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long r = (long) SYSCALL.invokeExact(state, nr, a, b, c, d, e, 0L);
            if (r == -1) throw new LinuxException(operation, (int) ERRNO.get(state, 0L));
            return r;
        } catch (LinuxException ex) {
            throw ex;
        } catch (Throwable t) {
            throw new IllegalStateException(operation + ": " + t, t);
        }
    }

    /** Like {@link #syscall} but returns {@code -errno} instead of throwing, for calls whose failure is expected. */
    public static long trySyscall(long nr, long a, long b, long c, long d, long e) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long r = (long) SYSCALL.invokeExact(state, nr, a, b, c, d, e, 0L);
            return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + nr + ": " + t, t);
        }
    }

    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
