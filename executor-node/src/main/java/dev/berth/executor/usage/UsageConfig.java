package dev.berth.executor.usage;

import java.time.Duration;

/**
 * Where and how often a node publishes usage.
 *
 * @param kafka      bootstrap servers ({@code host:port,…}); null: no Kafka, usage only in heartbeats
 * @param interval   between usage events (each running allocation and the node itself)
 * @param spoolBytes the disk spool's bound while Kafka is away
 */
public record UsageConfig(String kafka, Duration interval, long spoolBytes) {
    public static final UsageConfig DEFAULT = new UsageConfig(null, Duration.ofSeconds(10), 64L << 20);

    public UsageConfig withKafka(String bootstrap) {
        return new UsageConfig(bootstrap, interval, spoolBytes);
    }

    public UsageConfig withInterval(Duration d) {
        return new UsageConfig(kafka, d, spoolBytes);
    }
}
