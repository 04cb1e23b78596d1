package dev.berth.scheduler;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param host         address the API listens on; loopback by default, since the API has no authentication yet
 * @param nodeTtl      a node silent for this long is marked down
 * @param maxBodyBytes larger request bodies get 413
 * @param stateDir     where this member journals the cluster's state; null keeps it in memory only
 * @param kafka        bootstrap servers of the usage events' Kafka; null: no capacity planner
 */
public record SchedulerConfig(String host, int port, Duration nodeTtl, long maxBodyBytes, Path stateDir, String kafka) {
    public static final int DEFAULT_PORT = 7070;

    public static SchedulerConfig defaults() {
        return new SchedulerConfig("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(10), 1024 * 1024, null, null);
    }

    public SchedulerConfig withPort(int p) {
        return new SchedulerConfig(host, p, nodeTtl, maxBodyBytes, stateDir, kafka);
    }

    public SchedulerConfig withNodeTtl(Duration ttl) {
        return new SchedulerConfig(host, port, ttl, maxBodyBytes, stateDir, kafka);
    }

    public SchedulerConfig withStateDir(Path dir) {
        return new SchedulerConfig(host, port, nodeTtl, maxBodyBytes, dir, kafka);
    }

    public SchedulerConfig withKafka(String bootstrap) {
        return new SchedulerConfig(host, port, nodeTtl, maxBodyBytes, stateDir, bootstrap);
    }
}
