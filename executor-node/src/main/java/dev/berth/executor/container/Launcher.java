package dev.berth.executor.container;

import static dev.berth.executor.linux.Sys.MS_BIND;
import static dev.berth.executor.linux.Sys.MS_NODEV;
import static dev.berth.executor.linux.Sys.MS_NOEXEC;
import static dev.berth.executor.linux.Sys.MS_NOSUID;
import static dev.berth.executor.linux.Sys.MS_PRIVATE;
import static dev.berth.executor.linux.Sys.MS_RDONLY;
import static dev.berth.executor.linux.Sys.MS_REC;
import static dev.berth.executor.linux.Sys.MS_REMOUNT;

import dev.berth.executor.ProcFiles;
import dev.berth.executor.cgroup.Cgroup;
import dev.berth.executor.linux.Capabilities;
import dev.berth.executor.linux.Errno;
import dev.berth.executor.linux.Hardening;
import dev.berth.executor.linux.Ptrace;
import dev.berth.executor.linux.UserNamespace;
import dev.berth.executor.linux.InRoot;
import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.linux.Seccomp;
import dev.berth.executor.linux.Spawn;
import dev.berth.executor.linux.Sys;
import dev.berth.executor.network.ContainerNet;
import dev.berth.executor.network.NodeNetwork;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a container from a multithreaded JVM with no helper binary, in the order that
 * RUNTIME-NOTES records as working:
 * <ol>
 * <li>the caller makes the dirs and opens the stdio files while host paths are plain;</li>
 * <li>a launch thread T joins the cgroup (v1), unshares its namespaces, builds the root (overlay,
 *     /dev, /sys, /etc files, volumes), pivots into it, drops privileges on itself only (raw
 *     syscalls), and spawns the command with posix_spawn — whose child first blocks on a FIFO gate;</li>
 * <li>a helper thread H, once PID 1 exists, mounts a procfs of the new pid namespace (the
 *     {@code pidns} option of Linux 6.18) into T's mount namespace, masks /proc, and opens the gate.</li>
 * </ol>
 * T and H end after one launch: their namespaces and root are no longer the JVM's.
 */
public final class Launcher {
    static final String GATE = "/dev/.berth-gate";
    static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats");
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    static final List<String> MASKED_SYS = List.of("/sys/firmware", "/sys/devices/virtual/powercap");
    private static final long STEP_TIMEOUT_MS = 5_000;

    private final int lastCap;
    private final byte[] seccomp = Seccomp.program();

    public Launcher() throws IOException {
        lastCap = Integer.parseInt(ProcFiles.readTrimmed(Path.of("/proc/sys/kernel/cap_last_cap")));
        preload();
    }

    /** After the pivot, a lazily loaded class would be looked for in the container: load them all now. */
    private static void preload() {
        for (Class<?> c : List.of(Sys.class, Spawn.class, Spawn.Plan.class, Seccomp.class, Capabilities.class,
                LinuxException.class, Errno.class, InRoot.class, LaunchThread.class, Helper.class, Arena.class, ContainerNet.class,
                Ptrace.class, Ptrace.Call.class, Hardening.class, UserNamespace.class,
                dev.berth.executor.netlink.Rtnl.class, dev.berth.executor.netlink.NetlinkSocket.class, dev.berth.executor.netlink.NlMessage.class)) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        new LinuxException("warm-up " + Errno.name(1), Errno.EPERM).getMessage();
        Sys.gettid();
    }

    /**
     * The started command: its pid in the host's pid namespace and a pidfd for it, with when each
     * step ended (nanoTime), for the benchmark's breakdown.
     */
    public record Started(int pid, int pidfd, java.util.Map<String, Long> steps) {
    }

    public Started launch(ContainerSpec spec, Cgroup cgroup) throws LaunchException {
        long begin = System.nanoTime();
        int[] stdio = new int[] {-1, -1, -1};
        try {
            prepare(spec);
            stdio[0] = Sys.open("/dev/null", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
            stdio[1] = Sys.open(spec.stdout().toString(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_APPEND | Sys.O_CLOEXEC, 0640);
            stdio[2] = Sys.open(spec.stderr().toString(), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_APPEND | Sys.O_CLOEXEC, 0640);
        } catch (IOException | LinuxException e) {
            closeAll(stdio);
            throw new LaunchException("prepare container " + spec.id() + ": " + e.getMessage(), e);
        }
        long prepared = System.nanoTime();
        int userns = -1;
        if (spec.userns()) {
            try {
                userns = UserNamespace.create(spec.usernsBase(), UserRanges.SIZE);
            } catch (LinuxException e) {
                closeAll(stdio);
                throw new LaunchException("container " + spec.id() + ": cannot make its user namespace: " + e.getMessage(), e);
            }
        }
        long usernsMade = System.nanoTime();
        var t = new LaunchThread(spec, stdio, seccomp, lastCap, userns);
        var tThread = Thread.ofPlatform().name("berth-launch-" + spec.id()).start(t);
        Helper h = null;
        Thread hThread = null;
        try {
            if (!t.tidKnown.await(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) throw new LaunchException("launch thread did not start", null);
            boolean joined;
            try {
                joined = cgroup.attachThread(t.tid);
            } catch (IOException e) {
                t.abort = true;
                throw new LaunchException("join cgroup " + cgroup.name() + ": " + e.getMessage(), e);
            } finally {
                t.go.countDown();
            }
            long joinedAt = System.nanoTime();
            h = new Helper(spec, t, joined ? null : cgroup, joined ? cgroup : null, seccomp, lastCap);
            hThread = Thread.ofPlatform().name("berth-proc-" + spec.id()).start(h);
            tThread.join(STEP_TIMEOUT_MS);
            hThread.join(STEP_TIMEOUT_MS);
            if (tThread.isAlive() || hThread.isAlive()) {
                if (h.childPid > 0) reap(h.childPid);
                killStrays(cgroup);
                throw new LaunchException("container " + spec.id() + " did not start within " + STEP_TIMEOUT_MS + " ms (launch thread at: "
                        + t.stage + "; proc helper at: " + h.stage + (h.failure != null ? ", " + h.failure : "") + ")", null);
            }
            if (t.failure != null) throw new LaunchException(t.failure.getMessage(), t.failure);
            if (h.failure != null) {
                reap(t.pid);
                throw new LaunchException(h.failure.getMessage(), h.failure);
            }
            var steps = new java.util.LinkedHashMap<String, Long>();
            steps.put("begin", begin);
            steps.put("prepared", prepared);
            if (spec.userns()) steps.put("user namespace made", usernsMade);
            steps.put("cgroup joined", joinedAt);
            steps.putAll(t.steps);
            steps.putAll(h.steps);
            steps.put("returned", System.nanoTime());
            return new Started(t.pid, Sys.pidfdOpen(t.pid), steps);
        } catch (InterruptedException e) {
            t.abort = true;
            abandon(tThread, t, hThread, h, cgroup);
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while starting container " + spec.id(), e);
        } finally {
            t.go.countDown();
            closeAll(stdio);
            if (userns >= 0) Sys.close(userns); // the container holds its own reference now, or there is none
            // setresuid on T made the whole process non-dumpable, which hides its /proc entries from later launches
            if (spec.uid() != 0) Sys.prctl("PR_SET_DUMPABLE", 4, 1, 0);
        }
    }

    /**
     * The caller gave up (interrupted, e.g. the executor is stopping): T and H may still go on, and a
     * child may wait at its gate. Wait for them without heeding interrupts (bounded), then kill and
     * reap whatever of the launch exists, so that no half-started container outlives it.
     */
    private static void abandon(Thread tThread, LaunchThread t, Thread hThread, Helper h, Cgroup cgroup) {
        long deadline = System.nanoTime() + STEP_TIMEOUT_MS * 1_000_000;
        for (Thread th : new Thread[] {tThread, hThread}) {
            while (th != null && th.isAlive() && System.nanoTime() < deadline) {
                try {
                    th.join(100);
                } catch (InterruptedException again) {
                    // keep waiting: the interrupt is restored by the caller
                }
            }
        }
        reap(t.pid);
        if (h != null) reap(h.childPid);
        killStrays(cgroup);
    }

    private static void reap(int pid) {
        if (pid <= 0) return;
        try {
            int fd = Sys.pidfdOpen(pid);
            Sys.pidfdSignal(fd, Sys.SIGKILL);
            Sys.waitPidfd(fd);
            Sys.close(fd);
        } catch (LinuxException ignored) {
            // already gone and reaped
        }
    }

    /** After a failed launch, whatever of it sits in the cgroup (a child stuck at its gate) is killed and reaped. */
    private static void killStrays(Cgroup cgroup) {
        try {
            long self = ProcessHandle.current().pid();
            for (long pid : cgroup.processes()) if (pid != self) reap((int) pid);
        } catch (IOException ignored) {
            // the cgroup is gone: nothing left in it
        }
    }

    /** Host-side preparation: the container dir and its files, made while paths mean the host's. */
    private static void prepare(ContainerSpec spec) throws IOException {
        for (String d : List.of("upper", "work", "rootfs", "etc")) Files.createDirectories(spec.dir().resolve(d));
        if (spec.userns()) {
            // the writable layer's top is the root dir the container sees: its own root owns it
            Sys.lchown(spec.dir().resolve("upper").toString(), (int) spec.hostId(0), (int) spec.hostId(0));
            for (int i = 0; i < spec.lowerDirs().size(); i++) Files.createDirectories(spec.dir().resolve("idmapped").resolve(String.valueOf(i)));
        }
        Files.writeString(spec.dir().resolve("etc/hostname"), spec.hostname() + "\n");
        Files.writeString(spec.dir().resolve("etc/hosts"), spec.network() != null ? NodeNetwork.hosts(spec.hostname(), spec.network().ip())
                : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + spec.hostname() + "\n");
        String resolv = spec.network() != null ? spec.resolvConf()
                : spec.ownNetwork() ? "" // network mode none: nothing to resolve with
                : Files.exists(Path.of("/etc/resolv.conf")) ? ProcFiles.read(Path.of("/etc/resolv.conf")) : ""; // mode host: the host's own
        Files.writeString(spec.dir().resolve("etc/resolv.conf"), resolv);
        Files.createDirectories(spec.stdout().getParent());
    }

    private static void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) Sys.close(fds[i]);
            fds[i] = -1;
        }
    }

    /** T: everything that must happen on the thread whose namespaces the child inherits. */
    static final class LaunchThread implements Runnable {
        final ContainerSpec spec;
        final int[] stdio;
        final byte[] seccomp;
        final int lastCap;
        /** The container's user namespace (an fd of this process), or -1. */
        final int userns;
        final CountDownLatch tidKnown = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);
        /** Counted down once T has its new namespaces: from then on its network namespace can be configured. */
        final CountDownLatch unshared = new CountDownLatch(1);
        /** Counted down just before posix_spawn: from then on pid_for_children is the new namespace. */
        final CountDownLatch spawning = new CountDownLatch(1);
        volatile int tid;
        volatile boolean abort;
        volatile boolean failed;
        volatile Throwable failure;
        volatile int pid;
        volatile String stage = "new";
        final java.util.Map<String, Long> steps = new java.util.concurrent.ConcurrentSkipListMap<>();

        LaunchThread(ContainerSpec spec, int[] stdio, byte[] seccomp, int lastCap, int userns) {
            this.spec = spec;
            this.stdio = stdio;
            this.seccomp = seccomp;
            this.lastCap = lastCap;
            this.userns = userns;
        }

        @Override
        public void run() {
            try {
                tid = Sys.gettid();
                tidKnown.countDown();
                go.await();
                if (abort) throw new IllegalStateException("aborted before start");
                stage = "unshare";
                Sys.unshare(spec.namespaces() | Sys.CLONE_FS);
                unshared.countDown();
                stage = "root";
                steps.put("T unshared", System.nanoTime());
                Sys.mount(null, "/", null, MS_REC | MS_PRIVATE, null);
                Sys.sethostname(spec.hostname());
                buildRoot();
                String root = spec.rootfs().toString();
                steps.put("T root built", System.nanoTime());
                stage = "pivot";
                Sys.chdir(root);
                Sys.pivotRoot(".", ".");
                Sys.umount(".", Sys.MNT_DETACH);
                Sys.chdir("/");
                if (spec.workdir() != null && !spec.readOnlyRootfs()) mkdirs(spec.workdir());
                steps.put("T pivoted", System.nanoTime());
                stage = "harden";
                // with a user namespace the child is hardened once it is in it (H does that at its gate): not T
                if (userns < 0) harden();
                steps.put("T hardened", System.nanoTime());
                stage = "spawn";
                spawning.countDown();
                pid = Spawn.spawn(new Spawn.Plan(spec.executable(), spec.argv(), spec.env(), GATE, stdio[0], stdio[1], stdio[2], spec.workdir(), userns));
            } catch (Throwable e) {
                failure = e;
                failed = true;
            }
            steps.put("T spawn returned", System.nanoTime());
            stage = failed ? "failed" : "done";
            unshared.countDown();
            spawning.countDown();
        }

        private void buildRoot() {
            String root = spec.rootfs().toString();
            var lowers = spec.lowerDirs();
            if (userns >= 0) lowers = idmappedLowers(lowers);
            if (spec.readOnlyRootfs() && lowers.size() == 1) {
                Sys.mount(lowers.getFirst().toString(), root, null, MS_BIND | MS_REC, null);
                Sys.mount(null, root, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
            } else {
                var data = new StringBuilder("lowerdir=");
                for (int i = 0; i < lowers.size(); i++) data.append(i == 0 ? "" : ":").append(lowers.get(i));
                if (!spec.readOnlyRootfs()) {
                    data.append(",upperdir=").append(spec.dir().resolve("upper")).append(",workdir=").append(spec.dir().resolve("work"));
                }
                Sys.mount("overlay", root, "overlay", spec.readOnlyRootfs() ? MS_RDONLY : 0, data.toString());
            }
            String dev = root + "/dev";
            systemDir(dev);
            Sys.mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
            node(dev + "/null", 1, 3);
            node(dev + "/zero", 1, 5);
            node(dev + "/full", 1, 7);
            node(dev + "/random", 1, 8);
            node(dev + "/urandom", 1, 9);
            node(dev + "/tty", 5, 0);
            Sys.mkdir(dev + "/pts", 0755);
            Sys.mount("devpts", dev + "/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
            Sys.symlink("pts/ptmx", dev + "/ptmx");
            Sys.mkdir(dev + "/shm", 01777);
            Sys.mount("shm", dev + "/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
            Sys.mkdir(dev + "/mqueue", 0755);
            Sys.mount("mqueue", dev + "/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
            Sys.symlink("/proc/self/fd", dev + "/fd");
            Sys.symlink("/proc/self/fd/0", dev + "/stdin");
            Sys.symlink("/proc/self/fd/1", dev + "/stdout");
            Sys.symlink("/proc/self/fd/2", dev + "/stderr");
            Sys.mknod(dev + "/.berth-gate", Sys.S_IFIFO | 0600, 0);
            // the child opens it after taking the task's uid
            Sys.lchown(dev + "/.berth-gate", (int) spec.hostId(spec.uid()), (int) spec.hostId(spec.gid()));

            systemDir(root + "/proc");
            String sys = root + "/sys";
            systemDir(sys);
            Sys.mount("sysfs", sys, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
            for (String masked : MASKED_SYS) {
                if (isDir(root + masked)) Sys.mount("tmpfs", root + masked, "tmpfs", MS_RDONLY, "size=0");
            }
            // Targets the image may have made symlinks of are resolved inside the root, never on the host.
            try (var inRoot = new InRoot(root)) {
                boolean etc = inRoot.existing("/etc") != null;
                for (String f : List.of("hostname", "hosts", "resolv.conf")) {
                    if (!etc || (spec.readOnlyRootfs() && inRoot.existing("/etc/" + f) == null)) continue;
                    Sys.mount(spec.dir().resolve("etc").resolve(f).toString(), inRoot.file("/etc/" + f, 0644), null, MS_BIND, null);
                }
                for (ContainerSpec.BindMount m : spec.mounts()) {
                    String found = inRoot.existing(m.target());
                    String target = found != null ? found : inRoot.dir(m.target(), true);
                    Sys.mount(m.source().toString(), target, null, MS_BIND | MS_REC, null);
                    // resolved again: the fd above is the dir under the new mount, not the mount itself
                    if (m.readOnly()) Sys.mount(null, inRoot.existing(m.target()), null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, null);
                }
            }
        }

        /**
         * The image's layers as the container's user namespace sees them: each an id-mapped mount
         * (open_tree's detached copy, MOUNT_ATTR_IDMAP with the namespace, moved under the
         * container's dir in T's own mount namespace), so that files owned by root in the image are
         * owned by the container's root, with nothing copied or chowned. The writable layer is not
         * mapped: what the container writes is owned on the host by its mapped ids.
         */
        private List<Path> idmappedLowers(List<Path> lowers) {
            var mapped = new java.util.ArrayList<Path>();
            for (int i = 0; i < lowers.size(); i++) {
                Path at = spec.dir().resolve("idmapped").resolve(String.valueOf(i));
                Sys.idmappedMount(lowers.get(i).toString(), userns, at.toString());
                mapped.add(at);
            }
            return mapped;
        }

        /** /dev, /proc, /sys: a dir of the image (or made), never a symlink, which would take the mount elsewhere. */
        private void systemDir(String path) {
            if (exists(path) && !isDir(path)) {
                throw new LinuxException("the image's " + path.substring(spec.rootfs().toString().length())
                        + " is not a directory (a symlink or a file); refusing to mount over it", Errno.ENOTDIR);
            }
            mkdirIn(path);
        }

        /** no_new_privs, capabilities, credentials and seccomp, on this thread only. */
        private void harden() {
            Sys.prctl("PR_SET_NO_NEW_PRIVS", 38, 1, 0);
            Capabilities.limitThread(spec.capabilities(), lastCap);
            Sys.setCredentials(spec.uid(), spec.gid(), spec.groups());
            if (spec.uid() == 0) Capabilities.setThread(spec.capabilities());
            if (spec.seccomp()) {
                try (Arena a = Arena.ofConfined()) {
                    Seccomp.install(a, seccomp);
                }
            }
        }

        private static void node(String path, int major, int minor) {
            Sys.mknod(path, Sys.S_IFCHR | 0666, Sys.makedev(major, minor));
            Sys.chmod(path, 0666);
        }

        private void mkdirIn(String path) {
            if (exists(path)) return;
            if (spec.readOnlyRootfs()) throw new LinuxException("the image has no " + path.substring(spec.rootfs().toString().length()) + " and its rootfs is read-only; mkdir " + path, Errno.ENOENT);
            Sys.mkdir(path, 0755);
        }

        /** After the pivot, inside the container's own root: parents first, those there already left alone. */
        private void mkdirs(String path) {
            if (exists(path)) return;
            int i = 0;
            while ((i = path.indexOf('/', i + 1)) > 0) Sys.mkdir(path.substring(0, i), 0755);
            Sys.mkdir(path, 0755);
            if (userns >= 0) Sys.lchown(path, (int) spec.hostId(spec.uid()), (int) spec.hostId(spec.gid())); // made for the task: its own
        }

        static boolean exists(String path) {
            int fd = Sys.tryOpen(path, Sys.O_PATH | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
            if (fd < 0) return false;
            Sys.close(fd);
            return true;
        }

        static boolean isDir(String path) {
            int fd = Sys.tryOpen(path, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
            if (fd < 0) return false;
            Sys.close(fd);
            return true;
        }
    }

    /** H: mounts /proc for the new pid namespace into T's mount namespace, then releases the child. */
    static final class Helper implements Runnable {
        final ContainerSpec spec;
        final LaunchThread t;
        final Cgroup attachChildTo;
        final Cgroup cgroupOfT;
        volatile int childPid;
        volatile Throwable failure;
        volatile String stage = "new";
        final java.util.Map<String, Long> steps = new java.util.concurrent.ConcurrentSkipListMap<>();

        final byte[] seccomp;
        final int lastCap;

        Helper(ContainerSpec spec, LaunchThread t, Cgroup attachChildTo, Cgroup cgroupOfT, byte[] seccomp, int lastCap) {
            this.spec = spec;
            this.t = t;
            this.attachChildTo = attachChildTo;
            this.cgroupOfT = cgroupOfT;
            this.seccomp = seccomp;
            this.lastCap = lastCap;
        }

        /**
         * On v1, T sits in the container's cgroup and the child starts there: the one pid in it that is
         * not the JVM is PID 1 — far cheaper than scanning /proc. Checked against the namespace all the same.
         */
        private int childInCgroup(Cgroup cgroup, int pidnsFd) throws IOException, InterruptedException {
            long self = ProcessHandle.current().pid();
            for (long pid : cgroup.processes()) {
                if (pid != self) {
                    Object ns = Files.getAttribute(Path.of("/proc/self/fd/" + pidnsFd), "unix:ino");
                    if (ns.equals(Files.getAttribute(Path.of("/proc/" + pid + "/ns/pid"), "unix:ino"))) return (int) pid;
                }
            }
            return findChild(pidnsFd);
        }

        @Override
        public void run() {
            int pidns = -1, mnt = -1, proc = -1;
            try {
                stage = "waiting for the launch thread";
                String task = "/proc/self/task/" + t.tid + "/ns/";
                long deadline = System.nanoTime() + STEP_TIMEOUT_MS * 1_000_000;
                if (spec.ownNetwork()) {
                    // While T builds the root, H sets up the network namespace T has just made.
                    stage = "waiting for the network namespace";
                    if (!t.unshared.await(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS) || t.failed) return;
                    stage = "configuring the network";
                    int netns = Sys.open(task + "net", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
                    try {
                        ContainerNet.configure(netns, spec.network());
                    } finally {
                        Sys.close(netns);
                    }
                    steps.put("H network ready", System.nanoTime());
                }
                // Before T unshares, pid_for_children is the host's namespace: wait until T is spawning.
                if (!t.spawning.await(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS) || t.failed) return;
                stage = "waiting for PID 1";
                while ((pidns = Sys.tryOpen(task + "pid_for_children", Sys.O_RDONLY | Sys.O_CLOEXEC, 0)) < 0) {
                    if (t.failed) return;
                    if (System.nanoTime() > deadline) throw new IllegalStateException("PID 1 of container " + spec.id() + " did not appear");
                    Thread.onSpinWait();
                    Thread.sleep(0, 50_000);
                }
                steps.put("H saw PID 1", System.nanoTime());
                stage = "finding PID 1";
                childPid = attachChildTo == null ? childInCgroup(cgroupOfT, pidns) : findChild(pidns);
                steps.put("H found PID 1", System.nanoTime());
                stage = "mounting /proc";
                if (attachChildTo != null) attachChildTo.attachProcess(childPid);
                mnt = Sys.open(task + "mnt", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
                proc = Sys.procMount(pidns);
                Sys.unshare(Sys.CLONE_FS);
                Sys.setns(mnt, Sys.CLONE_NEWNS);
                Sys.moveMount(proc, "/proc");
                for (String p : MASKED) {
                    if (LaunchThread.isDir(p)) Sys.mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0");
                    else if (LaunchThread.exists(p)) Sys.mount("/dev/null", p, null, MS_BIND, null);
                }
                for (String p : READ_ONLY) {
                    if (!LaunchThread.exists(p)) continue;
                    Sys.mount(p, p, null, MS_BIND | MS_REC, null);
                    Sys.mount(null, p, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, null);
                }
                steps.put("H /proc mounted and masked", System.nanoTime());
                if (spec.userns()) {
                    stage = "moving the child into its user namespace";
                    try (Arena a = Arena.ofConfined()) {
                        Ptrace.inject(childPid, Sys.NR_OPENAT, Hardening.joinAndHarden(a, spec.uid(), spec.gid(), spec.groups(), spec.capabilities(),
                                lastCap, spec.seccomp() ? seccomp : null), STEP_TIMEOUT_MS);
                    }
                    steps.put("H child in its user namespace, hardened", System.nanoTime());
                }
                stage = "opening the gate";
                openGate(deadline);
                steps.put("H gate opened", System.nanoTime());
                stage = "done";
            } catch (Throwable e) {
                failure = e;
                if (childPid > 0) Sys.kill(childPid, Sys.SIGKILL);
            } finally {
                for (int fd : new int[] {pidns, mnt, proc}) if (fd >= 0) Sys.close(fd);
            }
        }

        /**
         * The JVM's child in the new pid namespace (the JVM may have other children), matched by the
         * namespace's inode through the fd we hold, which pins it.
         */
        private int findChild(int pidnsFd) throws IOException, InterruptedException {
            Object ns = Files.getAttribute(Path.of("/proc/self/fd/" + pidnsFd), "unix:ino");
            long deadline = System.nanoTime() + STEP_TIMEOUT_MS * 1_000_000;
            var seen = new StringBuilder();
            while (System.nanoTime() < deadline) {
                seen.setLength(0);
                for (ProcessHandle c : ProcessHandle.current().children().toList()) {
                    try {
                        Object childNs = Files.getAttribute(Path.of("/proc/" + c.pid() + "/ns/pid"), "unix:ino");
                        if (ns.equals(childNs)) return (int) c.pid();
                        seen.append(' ').append(c.pid()).append('=').append(childNs);
                    } catch (IOException gone) {
                        seen.append(' ').append(c.pid()).append('=').append(gone);
                    }
                }
                Thread.sleep(0, 100_000);
            }
            throw new IllegalStateException("cannot find PID 1 of container " + spec.id() + " (pid namespace " + ns + "; children:" + seen + ")");
        }

        private void openGate(long deadline) throws InterruptedException {
            while (true) {
                int fd = Sys.tryOpen(GATE, Sys.O_WRONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC, 0);
                if (fd >= 0) {
                    Sys.close(fd);
                    Sys.unlink(GATE);
                    return;
                }
                if (fd != -Errno.ENXIO) throw new LinuxException("open " + GATE, -fd);
                if (System.nanoTime() > deadline) throw new IllegalStateException("container " + spec.id() + " never reached its gate");
                Thread.sleep(0, 50_000);
            }
        }
    }
}
