package dev.berth.executor.cgroup;

import dev.berth.executor.ProcFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds how this host mounts cgroups and makes containers' cgroups under one parent ({@code berth}
 * by default), so that Berth only ever touches what it made. v2 when /sys/fs/cgroup is a cgroup2
 * mount; v1 when the controllers are mounted one per dir (the hybrid layout counts as v1: its
 * cgroup2 mount holds no controllers that matter).
 */
public final class Cgroups {
    public enum Version { V1, V2 }

    private final Version version;
    private final Path root;
    private final String parent;
    private final List<String> controllers;

    public Cgroups(Version version, Path root, String parent, List<String> controllers) {
        this.version = version;
        this.root = root;
        this.parent = parent;
        this.controllers = List.copyOf(controllers);
    }

    /** Reads /proc/self/mountinfo to find the layout. */
    public static Cgroups detect(String parent) throws IOException {
        var mounts = ProcFiles.read(Path.of("/proc/self/mountinfo")).lines().toList();
        var v1 = new ArrayList<String>();
        Path v2root = null;
        for (String line : mounts) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) continue;
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            String mountPoint = left[4];
            if (right[0].equals("cgroup2") && mountPoint.equals("/sys/fs/cgroup")) v2root = Path.of(mountPoint);
            if (right[0].equals("cgroup") && mountPoint.startsWith("/sys/fs/cgroup/")) {
                for (String opt : right[2].split(",")) {
                    if (CgroupV1.CONTROLLERS.contains(opt)) v1.add(opt);
                }
            }
        }
        if (v2root != null) {
            var available = List.of(ProcFiles.readTrimmed(v2root.resolve("cgroup.controllers")).split("\\s+"));
            return new Cgroups(Version.V2, v2root, parent, available);
        }
        if (v1.contains("memory") && v1.contains("cpu") && v1.contains("pids")) {
            return new Cgroups(Version.V1, Path.of("/sys/fs/cgroup"), parent, v1);
        }
        throw new IOException("no usable cgroup hierarchy: need cgroup v2 at /sys/fs/cgroup, or v1 with cpu, memory and pids mounted (found v1 controllers " + v1 + ")");
    }

    public Version version() {
        return version;
    }

    public List<String> controllers() {
        return controllers;
    }

    public Cgroup create(String name) throws IOException {
        return version == Version.V1 ? CgroupV1.create(root, parent, name, controllers) : CgroupV2.create(root, parent, name);
    }

    public Cgroup open(String name) throws IOException {
        return version == Version.V1 ? CgroupV1.open(root, parent, name, controllers) : CgroupV2.open(root, parent, name);
    }

    /** The cores containers may use: those of the cpuset root (v1) or the online cpus. */
    public String cpus() throws IOException {
        Path v1 = root.resolve("cpuset").resolve("cpuset.cpus");
        if (version == Version.V1 && Files.exists(v1)) return ProcFiles.readTrimmed(v1);
        return ProcFiles.readTrimmed(Path.of("/sys/devices/system/cpu/online"));
    }

    /** Names of the containers' cgroups that exist now under the parent (for recovery after a restart). */
    public List<String> existing() throws IOException {
        Path dir = version == Version.V1 ? root.resolve("memory").resolve(parent) : root.resolve(parent);
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Removes the parent cgroup when no container is left under it (on shutdown, so nothing stays behind). */
    public void removeParentIfEmpty() throws IOException {
        if (!existing().isEmpty()) return;
        if (version == Version.V2) {
            CgroupFiles.rmdir(root.resolve(parent));
            return;
        }
        for (String c : controllers) {
            Path dir = root.resolve(c).resolve(parent);
            if (Files.isDirectory(dir)) CgroupFiles.rmdir(dir);
        }
    }

    @Override
    public String toString() {
        return "cgroup " + version.name().toLowerCase(java.util.Locale.ROOT) + " at " + root + " (controllers " + String.join(",", controllers) + ", parent " + parent + ")";
    }
}
