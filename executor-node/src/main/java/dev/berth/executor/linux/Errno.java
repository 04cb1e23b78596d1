package dev.berth.executor.linux;

/** The errno values Berth meets, by name, for messages a person can search for. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, EBADF = 9, ECHILD = 10,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EINVAL = 22, ENOSPC = 28,
            ENODEV = 19, ENOSYS = 38, ENOTEMPTY = 39, EOPNOTSUPP = 95, EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    private static final String[] NAMES = new String[134];
    private static final String[] TEXT = new String[134];

    static {
        put(EPERM, "EPERM", "Operation not permitted");
        put(ENOENT, "ENOENT", "No such file or directory");
        put(ESRCH, "ESRCH", "No such process");
        put(EINTR, "EINTR", "Interrupted system call");
        put(EIO, "EIO", "I/O error");
        put(ENXIO, "ENXIO", "No such device or address");
        put(EBADF, "EBADF", "Bad file descriptor");
        put(ECHILD, "ECHILD", "No child processes");
        put(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        put(ENOMEM, "ENOMEM", "Cannot allocate memory");
        put(EACCES, "EACCES", "Permission denied");
        put(EBUSY, "EBUSY", "Device or resource busy");
        put(EEXIST, "EEXIST", "File exists");
        put(ENODEV, "ENODEV", "No such device");
        put(ENOTDIR, "ENOTDIR", "Not a directory");
        put(EINVAL, "EINVAL", "Invalid argument");
        put(ENOSPC, "ENOSPC", "No space left on device");
        put(ENOSYS, "ENOSYS", "Function not implemented");
        put(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
        put(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        put(EADDRINUSE, "EADDRINUSE", "Address already in use");
        put(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address");
    }

    private Errno() {
    }

    private static void put(int n, String name, String text) {
        NAMES[n] = name;
        TEXT[n] = text;
    }

    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    static String describe(int errno) {
        return errno > 0 && errno < TEXT.length && TEXT[errno] != null ? TEXT[errno] : "see errno(3)";
    }
}
