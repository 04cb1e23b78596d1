package dev.berth.scheduler.capacity;

import dev.berth.model.codec.Json;
import dev.berth.model.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler member's reader of {@code berth.usage}: a consumer group of its own (so every
 * member sees every event and can answer), reading from the earliest retained event at start so
 * that history survives a restart. Duplicates are dropped by (node, sequence); what stays feeds
 * the usage history and the recommender.
 */
public final class CapacityPlanner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CapacityPlanner.class);

    private final KafkaConsumer<String, String> consumer;
    private final UsageHistory history = new UsageHistory(Duration.ofDays(1));
    private final Recommender recommender = new Recommender();
    private final Thread thread;
    private volatile boolean running = true;

    public CapacityPlanner(String bootstrapServers, String groupId) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000"); // notice the topic soon after the first node creates it
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        thread = Thread.ofPlatform().daemon().name("berth-capacity-planner").start(this::loop);
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(UsageEvent.TOPIC));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (var r : records) {
                    UsageEvent e;
                    try {
                        e = Json.read(r.value(), UsageEvent.class);
                    } catch (RuntimeException bad) {
                        LOG.warn("skipping an unreadable usage event at offset {}: {}", r.offset(), bad.getMessage());
                        continue;
                    }
                    take(e);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException closing) {
            // close() woke the poll
        } catch (RuntimeException e) {
            LOG.error("capacity planner stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    synchronized void take(UsageEvent e) {
        if (history.accept(e)) recommender.add(e);
    }

    /** The cluster as placement sees it (capacity, allocated), recorded for the history. */
    public synchronized void recordAllocation(Instant at, List<dev.berth.scheduler.placement.Candidate> cluster) {
        for (var c : cluster) {
            history.recordAllocation(c.id(), at, c.capacity().cpu().millicores() / 1000.0, c.capacity().memory().bytes(),
                    c.used().cpu().millicores() / 1000.0, c.used().memory().bytes());
        }
    }

    public synchronized List<Recommender.Recommendation> recommendations() {
        return recommender.recommendations();
    }

    public synchronized Map<String, Object> history(String resource, Duration range, Duration step) {
        return history.series(resource, range, step, Instant.now());
    }

    /** Events taken and duplicates dropped so far; the highest sequence number taken per node. */
    /** The allocation's cpu (cores) and memory (bytes) over time, from its usage events. */
    public synchronized Map<String, Object> allocationUsage(String allocationId) {
        return Map.of("allocationId", allocationId, "columns", List.of("at", "cpu", "memory"), "points", history.allocation(allocationId));
    }

    public synchronized Map<String, Object> stats() {
        return Map.of("events", history.accepted(), "duplicates", history.duplicates(), "highestSequence", history.highestSequences());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
