package dev.berth.executor;

import dev.berth.executor.container.ContainerPlanner;
import dev.berth.executor.container.ContainerRuntime;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.network.NodeNetwork;
import java.io.IOException;
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
        NodeNetwork network = NodeNetwork.start(config.network(), config.dataDir().resolve("network"));
        try {
            return new ContainerRuntime(config.dataDir(), images(config), host.cgroups(),
                    new ContainerPlanner.NodeRules(config.allowVolume(), config.allowHostNetwork(), config.policy()), network,
                    new RegistryClient(config.registryConfig()));
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    public static ImageStore images(ExecutorConfig config) throws IOException {
        return new ImageStore(config.dataDir().resolve("images"));
    }
}
