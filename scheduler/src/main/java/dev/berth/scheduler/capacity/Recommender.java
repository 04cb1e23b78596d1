package dev.berth.scheduler.capacity;

import dev.berth.model.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Right-sizing advice per task (job/group/task), in the manner of the Kubernetes VPA recommender:
 * cpu from a decaying histogram of usage (target at p90, lower bound p50, upper bound p95), memory
 * from one of peaks (p90/p50/p95); a safety margin on top; after an OOM kill, memory is bumped to
 * at least 1.2 × what was asked. Each recommendation says how much history it rests on. Pure.
 */
public final class Recommender {
    static final double MARGIN = 0.15, OOM_BUMP = 1.2;
    static final double MIN_CPU = 0.01;
    static final long MIN_MEMORY = 8L << 20;

    private final Map<String, Task> tasks = new TreeMap<>();

    private static final class Task {
        final String jobId, group, task;
        final DecayingHistogram cpu = DecayingHistogram.cpu(), memory = DecayingHistogram.memory();
        double requestedCpu;
        long requestedMemory;
        Instant first, last;
        boolean oom;

        Task(String jobId, String group, String task) {
            this.jobId = jobId;
            this.group = group;
            this.task = task;
        }
    }

    /** Takes an allocation event; node events and events without cpu usage yet are ignored (cpu needs two readings). */
    public void add(UsageEvent e) {
        if (!UsageEvent.ALLOCATION.equals(e.kind())) return;
        var t = tasks.computeIfAbsent(e.jobId() + "/" + e.group() + "/" + e.task(), k -> new Task(e.jobId(), e.group(), e.task()));
        double at = e.at().getEpochSecond() + e.at().getNano() / 1e9;
        if (e.metrics().containsKey("container.cpu.usage")) t.cpu.add(e.metric("container.cpu.usage"), 1, at);
        t.memory.add(Math.max(e.metric("container.memory.usage"), 1), 1, at);
        if (e.requested() != null) {
            t.requestedCpu = e.requested().cpu();
            t.requestedMemory = e.requested().memory();
        }
        if (e.metric("container.memory.oom_kills") > 0) t.oom = true;
        if (t.first == null || e.at().isBefore(t.first)) t.first = e.at();
        if (t.last == null || e.at().isAfter(t.last)) t.last = e.at();
    }

    /** target / lower / upper, in cores or bytes. */
    public record Range(double target, double lower, double upper) {
    }

    public record Recommendation(String jobId, String group, String task, double requestedCpu, long requestedMemory,
                                 Range cpu, Range memory, long cpuSamples, long memorySamples, long historySeconds, boolean oomKilled) {
    }

    public List<Recommendation> recommendations() {
        var out = new ArrayList<Recommendation>();
        for (Task t : tasks.values()) {
            Range cpu = t.cpu.isEmpty() ? null : new Range(
                    Math.max(MIN_CPU, t.cpu.percentile(0.9) * (1 + MARGIN)),
                    Math.max(MIN_CPU, t.cpu.percentile(0.5) * (1 + MARGIN)),
                    Math.max(MIN_CPU, t.cpu.percentile(0.95) * (1 + MARGIN)));
            double mt = Math.max(MIN_MEMORY, t.memory.percentile(0.9) * (1 + MARGIN));
            double ml = Math.max(MIN_MEMORY, t.memory.percentile(0.5) * (1 + MARGIN));
            double mu = Math.max(MIN_MEMORY, t.memory.percentile(0.95) * (1 + MARGIN));
            if (t.oom) {
                double floor = t.requestedMemory * OOM_BUMP;
                mt = Math.max(mt, floor);
                mu = Math.max(mu, floor);
            }
            out.add(new Recommendation(t.jobId, t.group, t.task, t.requestedCpu, t.requestedMemory, cpu, new Range(mt, ml, mu),
                    t.cpu.samples(), t.memory.samples(), Duration.between(t.first, t.last).toSeconds(), t.oom));
        }
        return out;
    }
}
