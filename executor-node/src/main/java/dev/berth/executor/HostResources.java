package dev.berth.executor;

import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What this host has: cores and memory, read from the kernel. */
public final class HostResources {
    private HostResources() {
    }

    public static Resources detect() {
        try {
            return new Resources(Cpu.cores(Runtime.getRuntime().availableProcessors()),
                    memTotal(ProcFiles.read(Path.of("/proc/meminfo")).lines().toList()),
                    Long.parseLong(ProcFiles.readTrimmed(Path.of("/proc/sys/kernel/pid_max"))),
                    IoLimits.UNLIMITED, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/meminfo: " + e.getMessage(), e);
        }
    }

    /** The {@code MemTotal} line of /proc/meminfo, which the kernel writes in KiB. */
    static ByteSize memTotal(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.trim().split("\\s+");
                return ByteSize.ofBytes(Long.parseLong(f[1]) * 1024);
            }
        }
        throw new IllegalStateException("/proc/meminfo has no MemTotal line");
    }
}
