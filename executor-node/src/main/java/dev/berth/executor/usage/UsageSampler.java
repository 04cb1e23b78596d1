package dev.berth.executor.usage;

import dev.berth.executor.cgroup.CgroupUsage;
import dev.berth.model.usage.NodeUsage;
import dev.berth.model.usage.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns cgroup counters and host readings into usage: a {@link NodeUsage} for each heartbeat and
 * {@link UsageEvent}s for Kafka. Cpu usage is a rate, so each cadence keeps its own previous
 * reading ({@link Rates}). Pure: the caller reads the counters.
 */
public final class UsageSampler {
    /** An allocation's ids and what its task asked for. */
    public record Owner(String jobId, String group, String task, double cpu, long memory) {
    }

    /** Cpu cores used per allocation since the previous call, from cumulative cpu nanoseconds. */
    public static final class Rates {
        private final Map<String, long[]> previous = new HashMap<>();

        public Map<String, Double> cores(Map<String, CgroupUsage> usage, long nowNanos) {
            var out = new HashMap<String, Double>();
            var next = new HashMap<String, long[]>();
            usage.forEach((id, u) -> {
                long[] prev = previous.get(id);
                if (prev != null && nowNanos > prev[1]) out.put(id, Math.max(0, u.cpuNanos() - prev[0]) / (double) (nowNanos - prev[1]));
                next.put(id, new long[] {u.cpuNanos(), nowNanos});
            });
            previous.clear();
            previous.putAll(next);
            return out;
        }
    }

    private final String nodeId;

    public UsageSampler(String nodeId) {
        this.nodeId = nodeId;
    }

    public NodeUsage nodeUsage(Map<String, Double> host, Map<String, CgroupUsage> usage, Map<String, Double> cores) {
        var allocations = new HashMap<String, NodeUsage.Allocation>();
        usage.forEach((id, u) -> allocations.put(id, new NodeUsage.Allocation(cores.getOrDefault(id, 0.0), u.memoryWorkingSet())));
        return new NodeUsage(host.getOrDefault("system.cpu.usage", 0.0), host.getOrDefault("system.memory.usage", 0.0).longValue(), allocations);
    }

    /** One event per allocation whose owner is known, then one for the node; sequence numbers are the spool's to give. */
    public List<UsageEvent> events(Instant at, Map<String, Double> host, Map<String, CgroupUsage> usage, Map<String, Double> cores,
                                   Map<String, Owner> owners) {
        var out = new ArrayList<UsageEvent>();
        usage.forEach((id, u) -> {
            Owner o = owners.get(id);
            if (o == null) return;
            var m = new LinkedHashMap<String, Double>();
            m.put("container.cpu.time", u.cpuNanos() / 1e9);
            if (cores.containsKey(id)) m.put("container.cpu.usage", cores.get(id));
            m.put("container.cpu.throttled_time", u.throttledNanos() / 1e9);
            m.put("container.memory.usage", (double) u.memoryWorkingSet());
            m.put("container.memory.peak", (double) u.memoryPeak());
            m.put("container.memory.oom_kills", u.oomKilled() ? 1.0 : 0.0);
            m.put("container.disk.io.read", (double) u.readBytes());
            m.put("container.disk.io.write", (double) u.writeBytes());
            m.put("container.disk.operations.read", (double) u.readOps());
            m.put("container.disk.operations.write", (double) u.writeOps());
            m.put("container.pids", (double) u.pids());
            out.add(new UsageEvent(1, nodeId, 0, at, UsageEvent.ALLOCATION, o.jobId(), o.group(), o.task(), id,
                    new UsageEvent.Requested(o.cpu(), o.memory()), m));
        });
        out.add(new UsageEvent(1, nodeId, 0, at, UsageEvent.NODE, null, null, null, null, null, host));
        return out;
    }
}
