package dev.berth.executor;

import dev.berth.model.spec.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * @param capacity  what the node offers to the scheduler; {@link HostResources#detect()} by default
 * @param dataDir   allocation dirs and logs live under it
 * @param shutdownGrace on shutdown, running tasks get at most this long after SIGTERM before SIGKILL
 */
public record ExecutorConfig(String nodeId, String address, Path dataDir, Resources capacity, Map<String, String> labels,
                             Duration heartbeatInterval, Duration shutdownGrace) {
    public ExecutorConfig {
        labels = Map.copyOf(labels);
    }

    public static ExecutorConfig of(String nodeId, Path dataDir) {
        return new ExecutorConfig(nodeId, "127.0.0.1", dataDir, HostResources.detect(), Map.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    public ExecutorConfig withCapacity(Resources c) {
        return new ExecutorConfig(nodeId, address, dataDir, c, labels, heartbeatInterval, shutdownGrace);
    }

    public ExecutorConfig withHeartbeatInterval(Duration d) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, d, shutdownGrace);
    }
}
