package dev.berth.executor;

import dev.berth.executor.container.ContainerPlanner;
import dev.berth.executor.container.ContainerRuntime;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.network.NodeNetwork;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the container runtime of a node after checking, and logging, what the host offers. */
public final class NodeRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private NodeRuntime() {
    }

    /** @throws IOException with the reason when this host cannot run containers */
    public static ContainerRuntime create(ExecutorConfig config) throws IOException {
        HostCheck host = HostCheck.inspect(config.cgroupParent());
        LOG.info("host: {}", host);
        String missing = host.missing();
        if (missing != null) throw new IOException("this host cannot run Berth containers: " + missing);
        // without a subnet of its own the node's network starts once the schedulers lease it one
        Path state = config.dataDir().resolve("network");
        NodeNetwork network = config.network().subnet() == null ? null : NodeNetwork.start(config.network(), state);
        try {
            var runtime = new ContainerRuntime(config.dataDir(), images(config), host.cgroups(),
                    new ContainerPlanner.NodeRules(config.allowVolume(), config.allowHostNetwork(), config.policy(), config.usernsDefault(), config.usernsBase()), network,
                    new RegistryClient(config.registryConfig()));
            if (network == null) {
                java.nio.file.Files.createDirectories(state);
                runtime.awaitLease(config.network(), state);
            }
            return runtime;
        } catch (IOException | RuntimeException e) {
            if (network != null) network.close();
            throw e;
        }
    }

    public static ImageStore images(ExecutorConfig config) throws IOException {
        return new ImageStore(config.dataDir().resolve("images"));
    }
}
