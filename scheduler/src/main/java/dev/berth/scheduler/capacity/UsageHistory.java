package dev.berth.scheduler.capacity;

import dev.berth.model.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each node used over time, from its node events (cpu cores busy, memory in use), and what
 * the scheduler's state said it offered and had allocated, kept for {@code retention}. Answers "cpu over the last hour", per node and summed for the cluster
 * (each node's latest point in each step). Also drops events seen before: per node, every
 * sequence number at or below the highest one seen is a duplicate (a node's events arrive in
 * order, in one partition). Pure and not thread-safe.
 */
public final class UsageHistory {
    record Point(Instant at, double cpu, double memory) {
    }

    private final Duration retention;
    private final Map<String, ArrayDeque<Point>> nodes = new TreeMap<>();
    private final Map<String, ArrayDeque<Point>> allocated = new TreeMap<>();
    private final Map<String, ArrayDeque<Point>> capacity = new TreeMap<>();
    private final Map<String, Long> highest = new HashMap<>();
    /** Per allocation, its container's cpu and memory; the least recently updated go first past the bound. */
    private final Map<String, ArrayDeque<Point>> perAllocation = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Point>> eldest) {
            return size() > MAX_ALLOCATIONS;
        }
    };
    static final int MAX_ALLOCATIONS = 10_000, MAX_POINTS_PER_ALLOCATION = 720;
    private long accepted, duplicates;

    public UsageHistory(Duration retention) {
        this.retention = retention;
    }

    /** False for an event already seen (dropped); true once taken. */
    public boolean accept(UsageEvent e) {
        long top = highest.getOrDefault(e.nodeId(), 0L);
        if (e.sequence() <= top) {
            duplicates++;
            return false;
        }
        highest.put(e.nodeId(), e.sequence());
        accepted++;
        if (UsageEvent.NODE.equals(e.kind())) {
            append(nodes, e.nodeId(), new Point(e.at(), e.metric("system.cpu.usage"), e.metric("system.memory.usage")));
        } else if (UsageEvent.ALLOCATION.equals(e.kind()) && e.allocationId() != null) {
            append(perAllocation, e.allocationId(), new Point(e.at(), e.metric("container.cpu.usage"), e.metric("container.memory.usage")));
            var points = perAllocation.get(e.allocationId());
            while (points.size() > MAX_POINTS_PER_ALLOCATION) points.removeFirst();
        }
        return true;
    }

    /** One allocation's container over time: [epoch seconds, cpu cores, memory bytes], oldest first; empty when unknown. */
    public List<List<Object>> allocation(String allocationId) {
        var points = perAllocation.get(allocationId);
        if (points == null) return List.of();
        return points.stream().map(p -> List.<Object>of(p.at().toEpochMilli() / 1000.0, p.cpu(), p.memory())).toList();
    }

    /** What the scheduler's state says of a node at {@code at}: its capacity and what placed allocations hold. */
    public void recordAllocation(String node, Instant at, double capacityCpu, double capacityMemory, double allocatedCpu, double allocatedMemory) {
        append(capacity, node, new Point(at, capacityCpu, capacityMemory));
        append(allocated, node, new Point(at, allocatedCpu, allocatedMemory));
    }

    private void append(Map<String, ArrayDeque<Point>> series, String node, Point p) {
        var points = series.computeIfAbsent(node, k -> new ArrayDeque<>());
        points.addLast(p);
        Instant cutoff = p.at().minus(retention);
        while (!points.isEmpty() && points.peekFirst().at().isBefore(cutoff)) points.removeFirst();
    }

    public long accepted() {
        return accepted;
    }

    public long duplicates() {
        return duplicates;
    }

    public Map<String, Long> highestSequences() {
        return Map.copyOf(highest);
    }

    /**
     * Per node and for the cluster, [epoch seconds, value] points since {@code now - range}, one per
     * step (its latest): {@code nodes}/{@code cluster} what the hosts used, and the same shape under
     * {@code allocated} and {@code capacity}.
     */
    public Map<String, Object> series(String resource, Duration range, Duration step, Instant now) {
        var out = new LinkedHashMap<String, Object>();
        out.put("resource", resource);
        out.put("unit", resource.equals("cpu") ? "cores" : "bytes");
        out.put("rangeSeconds", range.toSeconds());
        out.put("stepSeconds", step.toSeconds());
        out.putAll(view(nodes, resource, range, step, now));
        out.put("allocated", view(allocated, resource, range, step, now));
        out.put("capacity", view(capacity, resource, range, step, now));
        return out;
    }

    private static Map<String, Object> view(Map<String, ArrayDeque<Point>> series, String resource, Duration range, Duration step, Instant now) {
        Instant from = now.minus(range);
        var perNode = new LinkedHashMap<String, Object>();
        var cluster = new TreeMap<Long, Double>();
        series.forEach((node, points) -> {
            var buckets = new TreeMap<Long, Double>();
            for (Point p : points) {
                if (p.at().isBefore(from)) continue;
                long bucket = p.at().getEpochSecond() / step.toSeconds() * step.toSeconds();
                buckets.put(bucket, resource.equals("cpu") ? p.cpu() : p.memory());
            }
            perNode.put(node, buckets.entrySet().stream().map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());
            buckets.forEach((t, v) -> cluster.merge(t, v, Double::sum));
        });
        var out = new LinkedHashMap<String, Object>();
        out.put("nodes", perNode);
        out.put("cluster", cluster.entrySet().stream().map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());
        return out;
    }
}
