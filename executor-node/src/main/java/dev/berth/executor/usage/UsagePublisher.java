package dev.berth.executor.usage;

import dev.berth.model.codec.Json;
import dev.berth.model.usage.UsageEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the spool holds to Kafka, oldest first, keyed by node (so one node's events keep
 * their order in one partition), with acks=all and idempotence on — set here, not left to
 * defaults. Only what the broker acknowledged leaves the spool; while the broker is away events
 * wait on disk and go when it returns.
 */
public final class UsagePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsagePublisher.class);

    private final UsageSpool spool;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
    private final String topic;

    public UsagePublisher(String bootstrapServers, String clientId, UsageSpool spool) {
        this(bootstrapServers, clientId, spool, UsageEvent.TOPIC);
    }

    /** @param topic where the spool's events go ({@link UsageEvent#TOPIC}, or {@link UsageEvent#ACCOUNTING_TOPIC}) */
    public UsagePublisher(String bootstrapServers, String clientId, UsageSpool spool, String topic) {
        this.spool = spool;
        this.topic = topic;
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        thread = Thread.ofPlatform().daemon().name("berth-publisher-" + topic).start(this::loop);
    }

    /** Wakes the sender now (new events were spooled); never interrupts a send under way. */
    public void nudge() {
        wake.release();
    }

    private void loop() {
        boolean failing = false;
        while (running) {
            try {
                List<UsageEvent> batch = spool.pending(500);
                if (!batch.isEmpty()) {
                    long upTo = send(batch);
                    if (upTo > 0) spool.acknowledge(upTo);
                    if (upTo == batch.getLast().sequence()) {
                        if (failing) LOG.info("Kafka is back: spooled usage events are flowing again");
                        failing = false;
                        if (batch.size() == 500) continue; // more waiting
                    } else {
                        if (!failing) LOG.warn("Kafka does not take usage events; they wait in the spool ({} bytes)", spool.bytes());
                        failing = true;
                    }
                }
            } catch (Exception e) {
                if (!failing) LOG.warn("usage publisher: {}", e.toString());
                failing = true;
            }
            try {
                wake.tryAcquire(failing ? 2000 : 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException closing) {
                return;
            }
        }
    }

    /** Sends in order; returns the last sequence number of the unbroken acknowledged prefix (0: none). */
    private long send(List<UsageEvent> batch) {
        var futures = new ArrayList<Future<RecordMetadata>>();
        for (UsageEvent e : batch) {
            try {
                futures.add(producer.send(new ProducerRecord<>(topic, e.nodeId(), Json.write(e))));
            } catch (RuntimeException notSent) {
                break; // metadata unavailable (broker away): the rest waits
            }
        }
        producer.flush();
        long upTo = 0;
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get();
                upTo = batch.get(i).sequence();
            } catch (Exception failed) {
                break;
            }
        }
        return upTo;
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
