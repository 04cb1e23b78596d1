package dev.berth.executor.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A cgroup on v1: one dir per controller, {@code <mount>/<controller>/<parent>/<name>}. */
final class CgroupV1 implements Cgroup {
    /**
     * Controllers a container joins: those whose limits or accounting Berth uses (cpuset for
     * dedicated cores, which needs cpus and mems copied in before any task can join). Each join costs
     * a cgroup migration on the launch path (~0.3 ms here), so freezer is left out.
     */
    static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "pids", "blkio", "cpuset");

    private final String name;
    private final Map<String, Path> dirs;
    private final Map<String, String> written = new LinkedHashMap<>();

    private CgroupV1(String name, Map<String, Path> dirs) {
        this.name = name;
        this.dirs = dirs;
    }

    /** Makes {@code <parent>/<name>} under each mounted controller (the parent too, the first time). */
    static CgroupV1 create(Path root, String parent, String name, List<String> available) throws IOException {
        var dirs = new LinkedHashMap<String, Path>();
        for (String c : CONTROLLERS) {
            if (!available.contains(c)) continue;
            Path parentDir = root.resolve(c).resolve(parent);
            Files.createDirectories(parentDir);
            if (c.equals("cpuset")) inheritCpuset(root.resolve(c), parentDir);
            Path dir = parentDir.resolve(name);
            Files.createDirectories(dir);
            if (c.equals("cpuset")) inheritCpuset(parentDir, dir);
            dirs.put(c, dir);
        }
        return new CgroupV1(name, dirs);
    }

    /** Opens an existing cgroup (found after an executor restart). */
    static CgroupV1 open(Path root, String parent, String name, List<String> available) {
        var dirs = new LinkedHashMap<String, Path>();
        for (String c : CONTROLLERS) {
            Path dir = root.resolve(c).resolve(parent).resolve(name);
            if (available.contains(c) && Files.isDirectory(dir)) dirs.put(c, dir);
        }
        return new CgroupV1(name, dirs);
    }

    private static void inheritCpuset(Path from, Path to) throws IOException {
        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
            if (CgroupFiles.read(to.resolve(f)).isBlank()) CgroupFiles.write(to.resolve(f), CgroupFiles.read(from.resolve(f)).trim());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void apply(CgroupLimits l) throws IOException {
        if (dirs.containsKey("cpu")) {
            set("cpu", "cpu.cfs_period_us", Long.toString(CgroupLimits.CPU_PERIOD_US));
            set("cpu", "cpu.cfs_quota_us", l.cpuMillis() > 0 ? Long.toString(l.cpuQuotaMicros()) : "-1");
            set("cpu", "cpu.shares", Long.toString(l.cpuShares()));
        }
        if (dirs.containsKey("memory") && l.memoryBytes() > 0) {
            set("memory", "memory.limit_in_bytes", Long.toString(l.memoryBytes()));
            // memory+swap equal to memory: no swap. The file exists only where swap accounting is on.
            if (Files.exists(dirs.get("memory").resolve("memory.memsw.limit_in_bytes"))) {
                set("memory", "memory.memsw.limit_in_bytes", Long.toString(l.memoryBytes()));
            }
            set("memory", "memory.swappiness", "0");
        }
        if (dirs.containsKey("pids")) set("pids", "pids.max", l.pids() > 0 ? Long.toString(l.pids()) : "max");
        if (dirs.containsKey("blkio") && l.throttlesIo()) {
            if (l.readBps() > 0) set("blkio", "blkio.throttle.read_bps_device", l.device() + " " + l.readBps());
            if (l.writeBps() > 0) set("blkio", "blkio.throttle.write_bps_device", l.device() + " " + l.writeBps());
            if (l.readIops() > 0) set("blkio", "blkio.throttle.read_iops_device", l.device() + " " + l.readIops());
            if (l.writeIops() > 0) set("blkio", "blkio.throttle.write_iops_device", l.device() + " " + l.writeIops());
        }
    }

    @Override
    public void setCpus(String cpus) throws IOException {
        if (!dirs.containsKey("cpuset")) throw new IOException("the cpuset controller is not mounted here; cores cannot be dedicated");
        set("cpuset", "cpuset.cpus", cpus);
    }

    private void set(String controller, String file, String value) throws IOException {
        CgroupFiles.write(dirs.get(controller).resolve(file), value);
        written.put(controller + "/" + file, value);
    }

    @Override
    public boolean attachThread(int tid) throws IOException {
        for (Path dir : dirs.values()) CgroupFiles.write(dir.resolve("tasks"), Integer.toString(tid));
        return true;
    }

    @Override
    public void attachProcess(long pid) throws IOException {
        for (Path dir : dirs.values()) CgroupFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public boolean oomKilled() throws IOException {
        Path dir = dirs.get("memory");
        if (dir == null) return false;
        for (String line : CgroupFiles.read(dir.resolve("memory.oom_control")).split("\n")) {
            if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring(9).trim()) > 0;
        }
        return false;
    }

    @Override
    public long cpuUsageNanos() throws IOException {
        Path dir = dirs.get("cpuacct");
        return dir == null ? 0 : Long.parseLong(CgroupFiles.read(dir.resolve("cpuacct.usage")).trim());
    }

    @Override
    public CgroupUsage usage() throws IOException {
        long throttled = 0, workingSet = 0, peak = 0, pids = 0;
        long[] bytes = {0, 0}, ops = {0, 0};
        if (dirs.containsKey("cpu")) throttled = CgroupUsage.keyValues(CgroupFiles.read(dirs.get("cpu").resolve("cpu.stat"))).getOrDefault("throttled_time", 0L);
        Path memory = dirs.get("memory");
        if (memory != null) {
            long usage = Long.parseLong(CgroupFiles.read(memory.resolve("memory.usage_in_bytes")).trim());
            long inactiveFile = CgroupUsage.keyValues(CgroupFiles.read(memory.resolve("memory.stat"))).getOrDefault("total_inactive_file", 0L);
            workingSet = Math.max(0, usage - inactiveFile);
            peak = Long.parseLong(CgroupFiles.read(memory.resolve("memory.max_usage_in_bytes")).trim());
        }
        Path blkio = dirs.get("blkio");
        if (blkio != null) {
            bytes = CgroupUsage.blkioReadWrite(CgroupFiles.read(blkio.resolve("blkio.throttle.io_service_bytes")));
            ops = CgroupUsage.blkioReadWrite(CgroupFiles.read(blkio.resolve("blkio.throttle.io_serviced")));
        }
        if (dirs.containsKey("pids")) pids = Long.parseLong(CgroupFiles.read(dirs.get("pids").resolve("pids.current")).trim());
        return new CgroupUsage(cpuUsageNanos(), throttled, workingSet, peak, bytes[0], bytes[1], ops[0], ops[1], pids, oomKilled());
    }

    @Override
    public List<Long> processes() throws IOException {
        Path dir = dirs.containsKey("pids") ? dirs.get("pids") : dirs.values().iterator().next();
        return CgroupFiles.pids(dir.resolve("cgroup.procs"));
    }

    @Override
    public void remove() throws IOException {
        var failures = new ArrayList<String>();
        for (Path dir : dirs.values()) {
            try {
                CgroupFiles.rmdir(dir);
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) throw new IOException(String.join("; ", failures));
    }

    @Override
    public Map<String, String> written() {
        return Map.copyOf(written);
    }
}
