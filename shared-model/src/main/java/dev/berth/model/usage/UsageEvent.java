package dev.berth.model.usage;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * One usage sample as a node publishes it to Kafka (topic {@code berth.usage}, key: the node id),
 * as JSON. {@code kind} is {@code allocation} (one task instance's container: the ids name it) or
 * {@code node} (the host). {@code sequence} grows by one per event of a node, across restarts of
 * its executor: a consumer drops an event whose (nodeId, sequence) it has seen. Metric names
 * follow OpenTelemetry's container and system conventions; see {@link #METRICS}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageEvent(int schema, String nodeId, long sequence, Instant at, String kind,
                         String jobId, String group, String task, String allocationId,
                         Requested requested, Map<String, Double> metrics, Ended ended) {
    public static final String TOPIC = "berth.usage";
    /** One event per finished allocation (kind {@code accounting}), numbered and spooled apart from the usage samples. */
    public static final String ACCOUNTING_TOPIC = "berth.accounting";
    public static final String ALLOCATION = "allocation", NODE = "node", ACCOUNTING = "accounting";

    public UsageEvent(int schema, String nodeId, long sequence, Instant at, String kind, String jobId, String group, String task,
                      String allocationId, Requested requested, Map<String, Double> metrics) {
        this(schema, nodeId, sequence, at, kind, jobId, group, task, allocationId, requested, metrics, null);
    }

    /**
     * How an allocation ended, on an accounting event: its metrics then hold {@code allocation.elapsed}
     * (s), {@code container.cpu.time} (s) and {@code container.memory.peak} (bytes).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ended(String status, Integer exitCode, Integer signal, String reason, int index, Instant startedAt, Instant finishedAt) {
    }

    /** The same event under another sequence number (the spool numbers what it takes). */
    public UsageEvent withSequence(long n) {
        return new UsageEvent(schema, nodeId, n, at, kind, jobId, group, task, allocationId, requested, metrics, ended);
    }

    /** What the task asked for: cpu in cores, memory in bytes. */
    public record Requested(double cpu, long memory) {
    }

    public UsageEvent {
        metrics = Map.copyOf(metrics);
    }

    public double metric(String name) {
        return metrics.getOrDefault(name, 0.0);
    }

    /** The metrics, their units and meaning. */
    public static final Map<String, String> METRICS = Map.ofEntries(
            Map.entry("container.cpu.time", "s, cumulative: cpu time the container used"),
            Map.entry("allocation.elapsed", "s: from its start to its end (accounting events)"),
            Map.entry("container.cpu.usage", "cores, mean over the interval since the last event"),
            Map.entry("container.cpu.throttled_time", "s, cumulative: time its cpu quota held it back"),
            Map.entry("container.memory.usage", "bytes: working set (usage less inactive file cache)"),
            Map.entry("container.memory.peak", "bytes: the highest usage so far"),
            Map.entry("container.memory.oom_kills", "1 when the kernel OOM-killed a process of it"),
            Map.entry("container.disk.io.read", "bytes, cumulative"),
            Map.entry("container.disk.io.write", "bytes, cumulative"),
            Map.entry("container.disk.operations.read", "operations, cumulative"),
            Map.entry("container.disk.operations.write", "operations, cumulative"),
            Map.entry("container.pids", "processes now"),
            Map.entry("system.cpu.usage", "cores busy, mean over the interval"),
            Map.entry("system.cpu.logical.count", "cores"),
            Map.entry("system.memory.usage", "bytes in use (total less available)"),
            Map.entry("system.memory.limit", "bytes in total"),
            Map.entry("system.cpu.load_average.1m", "runnable tasks, 1-minute average"),
            Map.entry("system.interrupts.rate", "interrupts per second, all cpus (/proc/stat)"),
            Map.entry("system.interrupts.rate.cpuN", "interrupts per second on cpu N (/proc/interrupts)"));
}
