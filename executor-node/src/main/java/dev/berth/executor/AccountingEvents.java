package dev.berth.executor;

import dev.berth.executor.usage.UsagePublisher;
import dev.berth.executor.usage.UsageSpool;
import dev.berth.model.Accounting;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.usage.UsageEvent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event per finished allocation on Kafka topic {@code berth.accounting} (Slurm's accounting
 * records), so that what ran outlives the scheduler's state. Spooled on disk first and sent from
 * there, as usage events are, with a numbering of its own: nothing is lost while Kafka is away.
 */
final class AccountingEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccountingEvents.class);

    private final String nodeId;
    private final UsageSpool spool;
    private final UsagePublisher publisher;

    private AccountingEvents(String nodeId, UsageSpool spool, UsagePublisher publisher) {
        this.nodeId = nodeId;
        this.spool = spool;
        this.publisher = publisher;
    }

    /** Null when the node has no Kafka. Blocking. */
    static AccountingEvents open(ExecutorConfig config) throws IOException {
        if (config.kafka() == null) return null;
        var spool = new UsageSpool(config.dataDir().resolve("accounting-spool"), config.usageSpoolBytes());
        return new AccountingEvents(config.nodeId(), spool,
                new UsagePublisher(config.kafka(), "berth-accounting-" + config.nodeId(), spool, UsageEvent.ACCOUNTING_TOPIC));
    }

    /** The event for an allocation that ended; pure. */
    static UsageEvent event(String nodeId, Allocation a, AllocationStatus status, Integer code, Integer signal, String reason,
                            Instant startedAt, Instant finishedAt, Accounting used) {
        var metrics = new HashMap<String, Double>();
        if (startedAt != null) metrics.put("allocation.elapsed", Duration.between(startedAt, finishedAt).toMillis() / 1000.0);
        if (used != null) {
            metrics.put("container.cpu.time", used.cpuSeconds());
            metrics.put("container.memory.peak", (double) used.peakMemory());
        }
        var requested = new UsageEvent.Requested(a.resources().cpu().millicores() / 1000.0, a.resources().memory().bytes());
        return new UsageEvent(1, nodeId, 0, finishedAt, UsageEvent.ACCOUNTING, a.jobId(), a.group(), a.task(), a.id(), requested, metrics,
                new UsageEvent.Ended(status.wire(), code, signal, reason, a.index(), startedAt, finishedAt));
    }

    /** Spools the event and wakes the sender. Blocking (one synced append). */
    void ended(Allocation a, AllocationStatus status, Integer code, Integer signal, String reason, Instant startedAt, Instant finishedAt, Accounting used) {
        try {
            spool.append(List.of(event(nodeId, a, status, code, signal, reason, startedAt, finishedAt, used)));
            publisher.nudge();
        } catch (IOException e) {
            LOG.warn("allocation {}: its accounting event was not spooled: {}", a.id(), e.toString());
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}
