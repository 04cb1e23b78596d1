package dev.berth.executor.linux;

/** A failed system call, named by the operation and the object: {@code mount overlay on /x: EBUSY (Device or resource busy)}. */
public final class LinuxException extends RuntimeException {
    private final int errno;

    public LinuxException(String operation, int errno) {
        super(operation + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
