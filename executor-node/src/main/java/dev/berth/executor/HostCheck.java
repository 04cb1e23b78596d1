package dev.berth.executor;

import dev.berth.executor.cgroup.Cgroups;
import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.linux.Sys;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What this host offers a container runtime, found once at start and logged: kernel, cgroup layout,
 * overlayfs, and procfs's {@code pidns} option (Linux 6.18), which the launcher needs to give a
 * container a /proc of its own pid namespace from a multithreaded JVM.
 */
public record HostCheck(String kernel, Cgroups cgroups, boolean root, boolean overlay, boolean procPidns) {
    public static HostCheck inspect(String cgroupParent) throws IOException {
        String kernel = ProcFiles.readTrimmed(Path.of("/proc/sys/kernel/osrelease"));
        boolean overlay = ProcFiles.read(Path.of("/proc/filesystems")).lines().anyMatch(l -> l.endsWith("\toverlay"));
        boolean root = "root".equals(System.getProperty("user.name"));
        return new HostCheck(kernel, Cgroups.detect(cgroupParent), root, overlay, root && procPidnsWorks());
    }

    /** Makes (and drops) a procfs for our own pid namespace with the pidns option. */
    private static boolean procPidnsWorks() {
        int ns = -1;
        try {
            ns = Sys.open("/proc/self/ns/pid", Sys.O_RDONLY | Sys.O_CLOEXEC, 0);
            Sys.close(Sys.procMount(ns));
            return true;
        } catch (LinuxException e) {
            return false;
        } finally {
            if (ns >= 0) Sys.close(ns);
        }
    }

    /** Null when containers can run here, else why not, in words a person can act on. */
    public String missing() {
        if (!root) return "the executor must run as root (it makes namespaces, mounts and cgroups)";
        if (!overlay) return "the kernel has no overlayfs (modprobe overlay)";
        if (!procPidns) return "the kernel lacks procfs's pidns option (Linux 6.18 or newer is needed; found " + kernel + ")";
        return null;
    }

    @Override
    public String toString() {
        return "kernel " + kernel + ", " + cgroups + ", overlayfs " + (overlay ? "yes" : "no") + ", proc pidns= " + (procPidns ? "yes" : "no");
    }
}
