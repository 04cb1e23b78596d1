package dev.berth.executor.cgroup;

import java.util.HashMap;
import java.util.Map;

/**
 * What a container's cgroup counted: cumulative cpu and throttled time, memory now (working set:
 * usage less inactive file cache, as the kubelet counts it) and at its peak, bytes and operations
 * read and written on block devices, processes now, and whether the kernel OOM-killed in it.
 */
public record CgroupUsage(long cpuNanos, long throttledNanos, long memoryWorkingSet, long memoryPeak,
                          long readBytes, long writeBytes, long readOps, long writeOps, long pids, boolean oomKilled) {

    /** {@code key value} lines (memory.stat, cpu.stat) as a map. */
    static Map<String, Long> keyValues(String text) {
        var out = new HashMap<String, Long>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                try {
                    out.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException ignored) {
                    // not a counter
                }
            }
        }
        return out;
    }

    /** blkio.throttle.io_service_bytes / _serviced on v1: {@code MAJ:MIN Read N} lines; the Total line is skipped. */
    static long[] blkioReadWrite(String text) {
        long read = 0, write = 0;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) continue;
            if (f[1].equals("Read")) read += Long.parseLong(f[2]);
            else if (f[1].equals("Write")) write += Long.parseLong(f[2]);
        }
        return new long[] {read, write};
    }

    /** io.stat on v2: {@code MAJ:MIN rbytes=… wbytes=… rios=… wios=…} per device; summed. */
    static long[] ioStat(String text) {
        long[] sums = new long[4];
        for (String line : text.split("\n")) {
            for (String kv : line.trim().split("\\s+")) {
                int eq = kv.indexOf('=');
                if (eq < 0) continue;
                long v;
                try {
                    v = Long.parseLong(kv.substring(eq + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                switch (kv.substring(0, eq)) {
                    case "rbytes" -> sums[0] += v;
                    case "wbytes" -> sums[1] += v;
                    case "rios" -> sums[2] += v;
                    case "wios" -> sums[3] += v;
                    default -> { }
                }
            }
        }
        return sums;
    }
}
