package dev.berth.executor.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * errno values by name, for messages a person can search for: {@code ELOOP (Too many levels of
 * symbolic links)}. The names and texts come from libc itself ({@code strerrorname_np},
 * {@code strerrordesc_np}, glibc 2.32+), read once for every value at class load — a launch
 * thread that has pivoted into a container must not load anything later. The constants are the
 * ones Berth's code tests for.
 */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, ECHILD = 10,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, ENOSPC = 28,
            ENODEV = 19, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOPNOTSUPP = 95, EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    /** Linux's errno values end below 134 (EHWPOISON is 133). */
    private static final int COUNT = 134;
    private static final String[] NAMES = new String[COUNT];
    private static final String[] TEXT = new String[COUNT];

    static {
        MethodHandle name = lookup("strerrorname_np");
        MethodHandle desc = lookup("strerrordesc_np");
        for (int n = 1; n < COUNT; n++) {
            NAMES[n] = call(name, n);
            TEXT[n] = call(desc, n);
        }
    }

    private Errno() {
    }

    private static MethodHandle lookup(String function) {
        return Native.LIBC.find(function).map(f -> Native.LINKER.downcallHandle(f, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElse(null);
    }

    /** The C string libc returns for {@code n}, or null (no such function in this libc, or no such errno). */
    private static String call(MethodHandle f, int n) {
        if (f == null) return null;
        try {
            MemorySegment s = (MemorySegment) f.invokeExact(n);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    /** {@code ELOOP}, or {@code errno 200} for a value libc does not name. */
    public static String name(int errno) {
        return errno > 0 && errno < COUNT && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** {@code Too many levels of symbolic links}, or a pointer to errno(3). */
    public static String describe(int errno) {
        return errno > 0 && errno < COUNT && TEXT[errno] != null ? TEXT[errno] : "see errno(3)";
    }
}
