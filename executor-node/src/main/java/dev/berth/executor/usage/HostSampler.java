package dev.berth.executor.usage;

import dev.berth.executor.ProcFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's own usage from /proc: cpu busy time (/proc/stat), memory (/proc/meminfo), load
 * (/proc/loadavg) and interrupts — in total (/proc/stat's intr) and per cpu (/proc/interrupts) —
 * as rates over the interval since the previous sample. Interrupts matter: a container's cpu limit
 * bounds the interrupt work its traffic causes only where that work is accounted to it.
 */
public final class HostSampler {
    private long lastNanos, lastBusy, lastTotal, lastIntr;
    private long[] lastPerCpu = new long[0];

    public synchronized Map<String, Double> sample() throws IOException {
        long now = System.nanoTime();
        String stat = ProcFiles.read(Path.of("/proc/stat"));
        long busy = 0, total = 0, intr = 0;
        int cpus = 0;
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
                busy = total - Long.parseLong(f[4]) - Long.parseLong(f[5]); // less idle and iowait
            } else if (line.startsWith("cpu")) {
                cpus++;
            } else if (line.startsWith("intr ")) {
                intr = Long.parseLong(line.substring(5, line.indexOf(' ', 5) > 0 ? line.indexOf(' ', 5) : line.length()).trim());
            }
        }
        long[] perCpu = perCpuInterrupts(ProcFiles.read(Path.of("/proc/interrupts")));
        var out = new LinkedHashMap<String, Double>();
        out.put("system.cpu.logical.count", (double) cpus);
        if (lastNanos > 0 && total > lastTotal) {
            double seconds = (now - lastNanos) / 1e9;
            out.put("system.cpu.usage", cpus * (double) (busy - lastBusy) / (total - lastTotal));
            out.put("system.interrupts.rate", (intr - lastIntr) / seconds);
            for (int c = 0; c < perCpu.length && c < lastPerCpu.length; c++) out.put("system.interrupts.rate.cpu" + c, (perCpu[c] - lastPerCpu[c]) / seconds);
        }
        long memTotal = 0, memAvailable = 0;
        for (String line : ProcFiles.read(Path.of("/proc/meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) memTotal = kib(line);
            else if (line.startsWith("MemAvailable:")) memAvailable = kib(line);
        }
        out.put("system.memory.limit", (double) memTotal);
        out.put("system.memory.usage", (double) (memTotal - memAvailable));
        out.put("system.cpu.load_average.1m", Double.parseDouble(ProcFiles.read(Path.of("/proc/loadavg")).trim().split("\\s+")[0]));
        lastNanos = now;
        lastBusy = busy;
        lastTotal = total;
        lastIntr = intr;
        lastPerCpu = perCpu;
        return out;
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("\\D+", " ").trim().split(" ")[0]) * 1024;
    }

    /** Column sums of /proc/interrupts: interrupts each cpu has handled. */
    static long[] perCpuInterrupts(String text) {
        String[] lines = text.split("\n");
        int cpus = lines[0].trim().split("\\s+").length;
        long[] sums = new long[cpus];
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < cpus + 1) continue; // ERR and MIS: one system-wide count, not per cpu
            long[] row = new long[cpus];
            try {
                for (int c = 0; c < cpus; c++) row[c] = Long.parseLong(f[c + 1]);
            } catch (NumberFormatException e) {
                continue;
            }
            for (int c = 0; c < cpus; c++) sums[c] += row[c];
        }
        return sums;
    }
}
