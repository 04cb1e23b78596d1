package dev.berth.executor;

import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.executor.network.NetworkConfig;
import dev.berth.executor.usage.UsageConfig;
import dev.berth.model.spec.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * @param capacity           what the node offers to the scheduler; {@link HostResources#detect()} by default
 * @param dataDir            images, containers, allocation logs live under it
 * @param cgroupParent       containers' cgroups are made under this one, so Berth touches only its own
 * @param allowedVolumes     host paths that tasks may mount (and what is below them)
 * @param hostNetworkAllowed whether tasks may ask for network mode host
 * @param network            the node's bridge network (bridge name, subnet, firewall table, published ports' address)
 * @param shutdownGrace      on shutdown, running tasks get at most this long after SIGTERM before SIGKILL
 * @param logMaxBytes        a task's stdout or stderr file is rotated past this size
 * @param logFiles           rotated copies kept per stream
 * @param registries         mirrors, insecure (http) registries and credentials for image pulls
 * @param usage              usage events: Kafka, interval, spool bound
 */
public record ExecutorConfig(String nodeId, String address, Path dataDir, Resources capacity, Map<String, String> labels,
                             String cgroupParent, List<Path> allowedVolumes, boolean hostNetworkAllowed, NetworkConfig network,
                             Duration heartbeatInterval, Duration shutdownGrace, long logMaxBytes, int logFiles,
                             RegistryConfig registries, UsageConfig usage) {
    public ExecutorConfig {
        labels = Map.copyOf(labels);
        allowedVolumes = List.copyOf(allowedVolumes);
    }

    public static ExecutorConfig of(String nodeId, Path dataDir) {
        return new ExecutorConfig(nodeId, "127.0.0.1", dataDir, HostResources.detect(), Map.of(), "berth", List.of(), false, NetworkConfig.DEFAULT,
                Duration.ofSeconds(1), Duration.ofSeconds(5), 10L << 20, 2, RegistryConfig.NONE, UsageConfig.DEFAULT);
    }

    public ExecutorConfig withCapacity(Resources c) {
        return new ExecutorConfig(nodeId, address, dataDir, c, labels, cgroupParent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withHeartbeatInterval(Duration d) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, allowedVolumes, hostNetworkAllowed, network, d, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withCgroupParent(String parent) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, parent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withLabels(Map<String, String> l) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, l, cgroupParent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withLogLimit(long maxBytes, int files) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, maxBytes, files, registries, usage);
    }

    public ExecutorConfig withNetwork(NetworkConfig n, boolean hostAllowed) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, allowedVolumes, hostAllowed, n, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withAllowedVolumes(List<Path> roots) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, roots, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, usage);
    }

    public ExecutorConfig withRegistries(RegistryConfig r) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, r, usage);
    }

    public ExecutorConfig withUsage(UsageConfig u) {
        return new ExecutorConfig(nodeId, address, dataDir, capacity, labels, cgroupParent, allowedVolumes, hostNetworkAllowed, network, heartbeatInterval, shutdownGrace, logMaxBytes, logFiles, registries, u);
    }
}
