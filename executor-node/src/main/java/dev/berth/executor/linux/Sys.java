package dev.berth.executor.linux;

import static dev.berth.executor.linux.Native.syscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The system calls that the container runtime makes, each a thin typed wrapper around
 * {@code syscall(2)} (x86_64 numbers). Each failure names the call and its object.
 */
public final class Sys {
    // x86_64 system call numbers (asm/unistd_64.h).
    public static final int NR_WRITE = 1, NR_CLOSE = 3, NR_GETPID = 39, NR_CHMOD = 90, NR_LCHOWN = 94, NR_KILL = 62, NR_CHDIR = 80, NR_SETGROUPS = 116, NR_SETRESUID = 117,
            NR_SETRESGID = 119, NR_CAPSET = 126, NR_PIVOT_ROOT = 155, NR_PRCTL = 157, NR_MOUNT = 165, NR_UMOUNT2 = 166,
            NR_SETHOSTNAME = 170, NR_GETTID = 186, NR_WAITID = 247, NR_OPENAT = 257, NR_MKDIRAT = 258, NR_MKNODAT = 259,
            NR_UNLINKAT = 263, NR_SYMLINKAT = 266, NR_UNSHARE = 272, NR_SETNS = 308, NR_SECCOMP = 317,
            NR_PIDFD_SEND_SIGNAL = 424, NR_MOVE_MOUNT = 429, NR_FSOPEN = 430, NR_FSCONFIG = 431, NR_FSMOUNT = 432,
            NR_PIDFD_OPEN = 434, NR_CLONE3 = 435, NR_LSETXATTR = 189, NR_OPENAT2 = 437, NR_OPEN_TREE = 428, NR_MOUNT_SETATTR = 442;

    public static final int CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
            CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000,
            CLONE_FS = 0x00000200;
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_BIND = 4096,
            MS_REC = 16384, MS_PRIVATE = 1 << 18;
    public static final int MNT_DETACH = 2;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000,
            O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000, O_PATH = 010000000, O_NOFOLLOW = 0400000, O_EXCL = 0200;
    public static final int AT_FDCWD = -100, AT_REMOVEDIR = 0x200;
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000;
    public static final int SIGKILL = 9, SIGTERM = 15;

    private Sys() {
    }

    private static long str(Arena a, String s) {
        return s == null ? 0 : a.allocateFrom(s).address();
    }

    public static int gettid() {
        return (int) syscall("gettid", NR_GETTID, 0, 0, 0, 0, 0);
    }

    public static int getpid() {
        return (int) syscall("getpid", NR_GETPID, 0, 0, 0, 0, 0);
    }

    public static void unshare(int flags) {
        syscall("unshare(0x" + Integer.toHexString(flags) + ")", NR_UNSHARE, flags, 0, 0, 0, 0);
    }

    public static void setns(int fd, int nstype) {
        syscall("setns", NR_SETNS, fd, nstype, 0, 0, 0);
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            syscall("mount " + (fstype != null ? fstype : source) + " on " + target, NR_MOUNT,
                    str(a, source), str(a, target), str(a, fstype), flags, str(a, data));
        }
    }

    public static void umount(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            syscall("umount " + target, NR_UMOUNT2, str(a, target), flags, 0, 0, 0);
        }
    }

    public static void pivotRoot(String newRoot, String putOld) {
        try (Arena a = Arena.ofConfined()) {
            syscall("pivot_root " + newRoot, NR_PIVOT_ROOT, str(a, newRoot), str(a, putOld), 0, 0, 0);
        }
    }

    public static void chdir(String path) {
        try (Arena a = Arena.ofConfined()) {
            syscall("chdir " + path, NR_CHDIR, str(a, path), 0, 0, 0, 0);
        }
    }

    public static void sethostname(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(name);
            syscall("sethostname " + name, NR_SETHOSTNAME, s.address(), s.byteSize() - 1, 0, 0, 0);
        }
    }

    public static int open(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) syscall("open " + path, NR_OPENAT, AT_FDCWD, str(a, path), flags, mode, 0);
        }
    }

    /** Opens, or returns {@code -errno} when the failure is one the caller waits out (ENXIO on a FIFO). */
    /** RESOLVE_IN_ROOT: the dir fd is "/" for the whole walk, ".." and absolute symlinks included; no /proc magic links. */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    /** {@code openat2(dirfd, path, {flags, mode, resolve})}; {@code -errno} on failure. */
    public static int tryOpenat2(int dirfd, String path, int flags, long resolve) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, flags);
            how.set(ValueLayout.JAVA_LONG, 8, 0);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            return (int) Native.trySyscall(NR_OPENAT2, dirfd, str(a, path), how.address(), 24, 0);
        }
    }

    /** {@code mkdirat(dirfd, name, mode)}; {@code -errno} on failure. */
    public static int tryMkdirat(int dirfd, String name, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.trySyscall(NR_MKDIRAT, dirfd, str(a, name), mode, 0, 0);
        }
    }

    /** {@code openat(dirfd, name, flags, mode)}; {@code -errno} on failure. */
    public static int tryOpenat(int dirfd, String name, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.trySyscall(NR_OPENAT, dirfd, str(a, name), flags, mode, 0);
        }
    }

    /** {@code unlinkat(dirfd, name, 0)}; {@code -errno} on failure. */
    public static int tryUnlinkat(int dirfd, String name) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.trySyscall(NR_UNLINKAT, dirfd, str(a, name), 0, 0, 0);
        }
    }

    public static int tryOpen(String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Native.trySyscall(NR_OPENAT, AT_FDCWD, str(a, path), flags, mode, 0);
        }
    }

    public static void write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long n = syscall("write", NR_WRITE, fd, m.address(), data.length, 0, 0);
            if (n != data.length) throw new LinuxException("short write (" + n + " of " + data.length + " bytes)", Errno.EIO);
        }
    }

    /** lsetxattr(2): an extended attribute on the path itself (not what a symlink points to). */
    public static void lsetxattr(String path, String name, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(ValueLayout.JAVA_BYTE, value);
            syscall("setxattr " + name + " on " + path, NR_LSETXATTR, str(a, path), str(a, name), v.address(), value.length, 0);
        }
    }

    /** Writes {@code content} to an existing file with one write (a /proc or /sys file takes it whole or not at all). */
    public static void writeFile(String path, String content) {
        int fd = open(path, O_WRONLY | O_CLOEXEC, 0);
        try {
            write(fd, content.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } finally {
            close(fd);
        }
    }

    public static void close(int fd) {
        Native.trySyscall(NR_CLOSE, fd, 0, 0, 0, 0);
    }

    public static void mknod(String path, int mode, long dev) {
        try (Arena a = Arena.ofConfined()) {
            syscall("mknod " + path, NR_MKNODAT, AT_FDCWD, str(a, path), mode, dev, 0);
        }
    }

    public static void mkdir(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            long r = Native.trySyscall(NR_MKDIRAT, AT_FDCWD, str(a, path), mode, 0, 0);
            if (r < 0 && r != -Errno.EEXIST) throw new LinuxException("mkdir " + path, (int) -r);
        }
    }

    public static void symlink(String target, String link) {
        try (Arena a = Arena.ofConfined()) {
            long r = Native.trySyscall(NR_SYMLINKAT, str(a, target), AT_FDCWD, str(a, link), 0, 0);
            if (r < 0 && r != -Errno.EEXIST) throw new LinuxException("symlink " + link, (int) -r);
        }
    }

    public static void chmod(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            syscall("chmod " + path, NR_CHMOD, str(a, path), mode, 0, 0, 0);
        }
    }

    public static void lchown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            syscall("chown " + path, NR_LCHOWN, str(a, path), uid, gid, 0, 0);
        }
    }

    public static void unlink(String path) {
        try (Arena a = Arena.ofConfined()) {
            Native.trySyscall(NR_UNLINKAT, AT_FDCWD, str(a, path), 0, 0, 0);
        }
    }

    public static long makedev(int major, int minor) {
        return ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12);
    }

    public static void prctl(String what, int option, long arg2, long arg3) {
        syscall("prctl " + what, NR_PRCTL, option, arg2, arg3, 0, 0);
    }

    /** Credentials of the calling thread only (the raw calls, not glibc's process-wide wrappers). */
    public static void setCredentials(int uid, int gid, int[] groups) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment g = a.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.length));
            for (int i = 0; i < groups.length; i++) g.setAtIndex(ValueLayout.JAVA_INT, i, groups[i]);
            syscall("setgroups", NR_SETGROUPS, groups.length, g.address(), 0, 0, 0);
        }
        syscall("setresgid " + gid, NR_SETRESGID, gid, gid, gid, 0, 0);
        syscall("setresuid " + uid, NR_SETRESUID, uid, uid, uid, 0, 0);
    }

    /** Sets this thread's effective, permitted and inheritable capability sets (64-bit masks). */
    public static void capset(long effective, long permitted, long inheritable) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment header = a.allocate(8);
            header.set(ValueLayout.JAVA_INT, 0, 0x20080522);
            header.set(ValueLayout.JAVA_INT, 4, 0);
            MemorySegment data = a.allocate(24);
            for (int i = 0; i < 2; i++) {
                data.set(ValueLayout.JAVA_INT, i * 12L, (int) (effective >>> (32 * i)));
                data.set(ValueLayout.JAVA_INT, i * 12L + 4, (int) (permitted >>> (32 * i)));
                data.set(ValueLayout.JAVA_INT, i * 12L + 8, (int) (inheritable >>> (32 * i)));
            }
            syscall("capset", NR_CAPSET, header.address(), data.address(), 0, 0, 0);
        }
    }

    /** Installs a BPF seccomp filter on this thread (no TSYNC: the JVM's other threads stay unfiltered). */
    public static void seccompFilter(MemorySegment program) {
        syscall("seccomp(SET_MODE_FILTER)", NR_SECCOMP, 1, 0, program.address(), 0, 0);
    }

    public static int pidfdOpen(long pid) {
        return (int) syscall("pidfd_open " + pid, NR_PIDFD_OPEN, pid, 0, 0, 0, 0);
    }

    /** Signals through a pidfd; ESRCH (already gone) counts as done. */
    public static void pidfdSignal(int pidfd, int signal) {
        long r = Native.trySyscall(NR_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0);
        if (r < 0 && r != -Errno.ESRCH) throw new LinuxException("pidfd_send_signal " + signal, (int) -r);
    }

    /** Waits for the process behind a pidfd to exit and reaps it; returns {code, signal} (signal 0 for a normal exit). */
    public static int[] waitPidfd(int pidfd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(128);
            while (true) {
                long r = Native.trySyscall(NR_WAITID, 3 /* P_PIDFD */, pidfd, info.address(), 4 /* WEXITED */, 0);
                if (r == -Errno.EINTR) continue;
                if (r < 0) throw new LinuxException("waitid(P_PIDFD)", (int) -r);
                break;
            }
            int code = info.get(ValueLayout.JAVA_INT, 8);   // si_code: CLD_EXITED=1, CLD_KILLED=2, CLD_DUMPED=3
            int status = info.get(ValueLayout.JAVA_INT, 24); // si_status
            return code == 1 ? new int[] {status, 0} : new int[] {128 + status, status};
        }
    }

    public static void kill(long pid, int signal) {
        long r = Native.trySyscall(NR_KILL, pid, signal, 0, 0, 0);
        if (r < 0 && r != -Errno.ESRCH) throw new LinuxException("kill " + pid, (int) -r);
    }

    /** A procfs instance that shows the pid namespace behind {@code pidnsFd} (Linux 6.18: the {@code pidns} option). */
    public static int procMount(int pidnsFd) {
        try (Arena a = Arena.ofConfined()) {
            int fs = (int) syscall("fsopen proc", NR_FSOPEN, str(a, "proc"), 1 /* FSOPEN_CLOEXEC */, 0, 0, 0);
            try {
                syscall("fsconfig proc pidns", NR_FSCONFIG, fs, 5 /* FSCONFIG_SET_FD */, str(a, "pidns"), 0, pidnsFd);
                syscall("fsconfig proc create", NR_FSCONFIG, fs, 6 /* FSCONFIG_CMD_CREATE */, 0, 0, 0);
                long attrs = 0x2 | 0x4 | 0x8; // MOUNT_ATTR_NOSUID | NODEV | NOEXEC
                return (int) syscall("fsmount proc", NR_FSMOUNT, fs, 1 /* FSMOUNT_CLOEXEC */, attrs, 0, 0);
            } finally {
                close(fs);
            }
        }
    }

    /**
     * An id-mapped bind mount of {@code source} at {@code target}: a detached copy (open_tree with
     * OPEN_TREE_CLONE), mapped through the user namespace behind {@code usernsFd}
     * (mount_setattr MOUNT_ATTR_IDMAP; only a detached mount can take a mapping), then attached.
     */
    public static void idmappedMount(String source, int usernsFd, String target) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) syscall("open_tree " + source, NR_OPEN_TREE, AT_FDCWD, str(a, source), 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC, 0, 0);
            try {
                MemorySegment attr = a.allocate(32, 8); // struct mount_attr { attr_set, attr_clr, propagation, userns_fd }
                attr.set(ValueLayout.JAVA_LONG, 0, 0x00100000L); // MOUNT_ATTR_IDMAP
                attr.set(ValueLayout.JAVA_LONG, 24, usernsFd);
                syscall("mount_setattr(MOUNT_ATTR_IDMAP) " + source, NR_MOUNT_SETATTR, fd, str(a, ""), 0x1000 /* AT_EMPTY_PATH */, attr.address(), 32);
                syscall("move_mount to " + target, NR_MOVE_MOUNT, fd, str(a, ""), AT_FDCWD, str(a, target), 4 /* F_EMPTY_PATH */);
            } finally {
                close(fd);
            }
        }
    }

    public static void moveMount(int mountFd, String target) {
        try (Arena a = Arena.ofConfined()) {
            syscall("move_mount to " + target, NR_MOVE_MOUNT, mountFd, str(a, ""), AT_FDCWD, str(a, target), 4 /* F_EMPTY_PATH */);
        }
    }
}
