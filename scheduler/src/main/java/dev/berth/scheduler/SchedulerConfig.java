package dev.berth.scheduler;

import java.time.Duration;

/**
 * @param host         address the API listens on; loopback by default, since the API has no authentication yet
 * @param nodeTtl      a node silent for this long is marked down
 * @param maxBodyBytes larger request bodies get 413
 */
public record SchedulerConfig(String host, int port, Duration nodeTtl, long maxBodyBytes) {
    public static final int DEFAULT_PORT = 7070;

    public static SchedulerConfig defaults() {
        return new SchedulerConfig("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(10), 1024 * 1024);
    }

    public SchedulerConfig withPort(int p) {
        return new SchedulerConfig(host, p, nodeTtl, maxBodyBytes);
    }

    public SchedulerConfig withNodeTtl(Duration ttl) {
        return new SchedulerConfig(host, port, ttl, maxBodyBytes);
    }
}
