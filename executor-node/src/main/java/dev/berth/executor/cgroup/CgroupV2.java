package dev.berth.executor.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cgroup on v2: one dir, {@code <mount>/<parent>/<name>}; the parent delegates the controllers
 * it has through {@code cgroup.subtree_control}. A limit whose controller the kernel does not
 * offer is refused by name rather than silently skipped.
 */
final class CgroupV2 implements Cgroup {
    static final List<String> WANTED = List.of("cpu", "memory", "pids", "io", "cpuset");

    private final String name;
    private final Path dir;
    private final List<String> controllers;
    private final Map<String, String> written = new LinkedHashMap<>();

    private CgroupV2(String name, Path dir, List<String> controllers) {
        this.name = name;
        this.dir = dir;
        this.controllers = controllers;
    }

    static CgroupV2 create(Path root, String parent, String name) throws IOException {
        Path parentDir = root.resolve(parent);
        Files.createDirectories(parentDir);
        var available = List.of(CgroupFiles.read(root.resolve("cgroup.controllers")).trim().split("\\s+"));
        var enabled = new ArrayList<String>();
        for (String c : WANTED) {
            if (!available.contains(c)) continue;
            enabled.add(c);
            enableIn(root, c);
            enableIn(parentDir, c);
        }
        Path dir = parentDir.resolve(name);
        Files.createDirectories(dir);
        return new CgroupV2(name, dir, enabled);
    }

    static CgroupV2 open(Path root, String parent, String name) throws IOException {
        Path dir = root.resolve(parent).resolve(name);
        var list = Files.exists(dir.resolve("cgroup.controllers"))
                ? List.of(CgroupFiles.read(dir.resolve("cgroup.controllers")).trim().split("\\s+")) : List.<String>of();
        return new CgroupV2(name, dir, list);
    }

    private static void enableIn(Path dir, String controller) throws IOException {
        String current = CgroupFiles.read(dir.resolve("cgroup.subtree_control"));
        if (!List.of(current.trim().split("\\s+")).contains(controller)) {
            CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + controller);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void apply(CgroupLimits l) throws IOException {
        if (l.cpuMillis() > 0) {
            set("cpu", "cpu.max", l.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_US);
            set("cpu", "cpu.weight", Long.toString(l.cpuWeight()));
        }
        if (l.memoryBytes() > 0) {
            set("memory", "memory.max", Long.toString(l.memoryBytes()));
            if (Files.exists(dir.resolve("memory.swap.max"))) set("memory", "memory.swap.max", "0");
        }
        if (l.pids() > 0) set("pids", "pids.max", Long.toString(l.pids()));
        if (l.throttlesIo()) {
            var v = new StringBuilder(l.device());
            if (l.readBps() > 0) v.append(" rbps=").append(l.readBps());
            if (l.writeBps() > 0) v.append(" wbps=").append(l.writeBps());
            if (l.readIops() > 0) v.append(" riops=").append(l.readIops());
            if (l.writeIops() > 0) v.append(" wiops=").append(l.writeIops());
            set("io", "io.max", v.toString());
        }
    }

    @Override
    public void setCpus(String cpus) throws IOException {
        set("cpuset", "cpuset.cpus", cpus);
    }

    private void set(String controller, String file, String value) throws IOException {
        if (!controllers.contains(controller)) {
            throw new IOException("cgroup v2 controller \"" + controller + "\" is not available here (needed for " + file + ")");
        }
        CgroupFiles.write(dir.resolve(file), value);
        written.put(file, value);
    }

    @Override
    public boolean attachThread(int tid) {
        return false;
    }

    @Override
    public void attachProcess(long pid) throws IOException {
        CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public boolean oomKilled() throws IOException {
        Path events = dir.resolve("memory.events");
        if (!Files.exists(events)) return false;
        for (String line : CgroupFiles.read(events).split("\n")) {
            if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).trim()) > 0;
        }
        return false;
    }

    @Override
    public long cpuUsageNanos() throws IOException {
        for (String line : CgroupFiles.read(dir.resolve("cpu.stat")).split("\n")) {
            if (line.startsWith("usage_usec ")) return Long.parseLong(line.substring(11).trim()) * 1000;
        }
        return 0;
    }

    @Override
    public CgroupUsage usage() throws IOException {
        var cpu = CgroupUsage.keyValues(CgroupFiles.read(dir.resolve("cpu.stat")));
        long workingSet = 0, peak = 0, pids = 0;
        long[] io = new long[4];
        if (Files.exists(dir.resolve("memory.current"))) {
            long current = Long.parseLong(CgroupFiles.read(dir.resolve("memory.current")).trim());
            workingSet = Math.max(0, current - CgroupUsage.keyValues(CgroupFiles.read(dir.resolve("memory.stat"))).getOrDefault("inactive_file", 0L));
            Path peakFile = dir.resolve("memory.peak"); // Linux 5.19+
            peak = Files.exists(peakFile) ? Long.parseLong(CgroupFiles.read(peakFile).trim()) : current;
        }
        if (Files.exists(dir.resolve("io.stat"))) io = CgroupUsage.ioStat(CgroupFiles.read(dir.resolve("io.stat")));
        if (Files.exists(dir.resolve("pids.current"))) pids = Long.parseLong(CgroupFiles.read(dir.resolve("pids.current")).trim());
        return new CgroupUsage(cpu.getOrDefault("usage_usec", 0L) * 1000, cpu.getOrDefault("throttled_usec", 0L) * 1000,
                workingSet, peak, io[0], io[1], io[2], io[3], pids, oomKilled());
    }

    @Override
    public List<Long> processes() throws IOException {
        return CgroupFiles.pids(dir.resolve("cgroup.procs"));
    }

    @Override
    public void remove() throws IOException {
        CgroupFiles.rmdir(dir);
    }

    @Override
    public Map<String, String> written() {
        return Map.copyOf(written);
    }
}
