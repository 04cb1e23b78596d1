package dev.berth.executor.cgroup;

import dev.berth.model.spec.Resources;

/**
 * What a container's cgroup enforces, in kernel units. {@code device} is "major:minor" of the block
 * device holding the node's data, where io throttling applies; null leaves io unthrottled.
 */
public record CgroupLimits(long cpuMillis, long memoryBytes, long pids, String device, long readBps, long writeBps,
                           long readIops, long writeIops) {
    /** The CFS period: 100 ms, as Docker and the kernel default use. */
    public static final long CPU_PERIOD_US = 100_000;

    public static CgroupLimits of(Resources r, String device) {
        var io = r.io();
        return new CgroupLimits(r.cpu().millicores(), r.memory().bytes(), r.pids(), device,
                io.readBps().bytes(), io.writeBps().bytes(), io.readIops(), io.writeIops());
    }

    /** CFS quota per period: 500m is half of each period. */
    public long cpuQuotaMicros() {
        return cpuMillis * CPU_PERIOD_US / 1000;
    }

    /** v1 cpu.shares: 1024 per core, as Docker maps it. */
    public long cpuShares() {
        return Math.max(2, cpuMillis * 1024 / 1000);
    }

    /** v2 cpu.weight from shares, by the formula runc and Kubernetes use. */
    public long cpuWeight() {
        return 1 + ((cpuShares() - 2) * 9999) / 262142;
    }

    public boolean throttlesIo() {
        return device != null && (readBps > 0 || writeBps > 0 || readIops > 0 || writeIops > 0);
    }
}
