package dev.berth.executor;

import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.executor.network.NetworkConfig;
import dev.berth.model.config.HostPort;
import dev.berth.model.config.Settings;
import dev.berth.model.policy.NodePolicy;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code berth executor} is told: each component is a key of its YAML file and, in kebab-case,
 * a flag ({@code cgroupParent} / {@code --cgroup-parent}). Read with {@link Settings}; changed in
 * code with {@link Settings#with(Record, Object...)}.
 *
 * @param schedulers        scheduler members' executor ports ({@code host:port}, port 4647 when left out); empty: the
 *                          scheduler in this process ({@code berth up})
 * @param bind              the node's address: where its published ports listen, unless {@code publishAddress} says otherwise
 * @param advertise         what the node tells the schedulers (shown in {@code berth node list}); default the bind address
 * @param cpu               cpu offered to the scheduler; null: every core
 * @param memory            memory offered; null: all of the host's
 * @param label             node labels for constraints
 * @param resource          extended resources offered (gpu=2)
 * @param allowVolume       host dirs that tasks may mount (and what is below them)
 * @param allowHostNetwork  whether tasks may ask for network mode host
 * @param bridge            the node's container bridge; its name must contain "berth"
 * @param subnet            containers' addresses; the first is the bridge's
 * @param dns               containers' nameservers; empty: the host's own, minus loopback ones
 * @param registries        a file of registry mirrors, insecure registries and credentials
 * @param kafka             bootstrap servers for usage events; null: usage only in heartbeats
 * @param usageInterval     between usage events (each running allocation and the node itself)
 * @param usageSpoolBytes   the disk spool's bound while Kafka is away
 * @param insecure          allows plaintext to schedulers beyond loopback
 * @param tlsCa             the cluster's CA: with {@code tlsCert} (naming this node) and {@code tlsKey}, mutual TLS to the schedulers
 * @param cgroupParent      containers' cgroups go under this one; two executors on one host need distinct ones
 * @param shutdownGrace     on shutdown, running tasks get at most this long after SIGTERM before SIGKILL
 * @param logMaxBytes       a task's stdout or stderr is rotated past this size, keeping {@code logFiles} copies
 * @param pullThreads       image pulls run on a pool of their own, so that slow pulls never hold the threads that start and report
 * @param allowCaps         capabilities a task may add beyond Docker's default set ({@code ALL}: any); none by default
 * @param allowUnconfined   whether a task may opt out of the seccomp filter
 * @param maxTaskCpu        the most cpu one task may ask here; null: the node's capacity
 * @param maxTaskMemory     the most memory one task may ask here; null: the node's capacity
 * @param egress            whether containers may reach beyond the cluster's containers: IPv4 forwarding and masquerading
 *                          through the node's address (off: they reach this node's published ports and other nodes' containers only)
 * @param networkMode       how containers reach other nodes' containers: host-gw (routes through node addresses, one L2
 *                          segment) or vxlan (a VXLAN device, over any IPv4 path between the nodes); one mode for a cluster
 * @param publishMode       dnat: published ports forwarded in the kernel for traffic to the node's address (relayed for
 *                          loopback and containers); relay: all through the node's relay. A node bound to loopback relays.
 * @param pids              pids the node offers to placement, each task's pids limit counting against them; null: not
 *                          counted (a task's pids is a ceiling its cgroup enforces, not a reservation: summing ceilings
 *                          of 1024 against the host's pid_max of 32768 held a node to 32 tasks whatever their size)
 * @param usernsDefault     every task gets a user namespace, whether it asks or not
 * @param usernsBase        user namespaces map their ids 0–65535 to 65,536 host ids each, the ranges starting here
 */
public record ExecutorConfig(List<String> schedulers, String bind, String advertise, String nodeId, Path dataDir, String cgroupParent,
                             Cpu cpu, ByteSize memory, Map<String, String> label, Map<String, Long> resource, List<Path> allowVolume,
                             boolean allowHostNetwork, String bridge, String subnet, List<String> dns, Path registries, String kafka,
                             boolean insecure, Duration heartbeatInterval, Duration shutdownGrace, long logMaxBytes, int logFiles,
                             Duration usageInterval, long usageSpoolBytes, String firewallTable, String publishAddress, int pullThreads,
                             List<String> allowCaps, boolean allowUnconfined, Cpu maxTaskCpu, ByteSize maxTaskMemory,
                             Path tlsCa, Path tlsCert, Path tlsKey, boolean egress, String networkMode, String publishMode,
                             boolean usernsDefault, long usernsBase, Long pids)
        implements Settings.Checked {
    public static final int DEFAULT_SCHEDULER_PORT = 4647;

    public ExecutorConfig {
        schedulers = List.copyOf(schedulers);
        label = Map.copyOf(label);
        resource = Map.copyOf(resource);
        allowVolume = List.copyOf(allowVolume);
        dns = List.copyOf(dns);
        allowCaps = List.copyOf(allowCaps);
    }

    /** A node with every default, for {@code berth up} and tests. */
    public static ExecutorConfig of(String nodeId, Path dataDir) {
        var n = NetworkConfig.DEFAULT;
        return new ExecutorConfig(List.of(), "127.0.0.1", null, nodeId, dataDir, "berth", null, null, Map.of(), Map.of(), List.of(), false,
                n.bridge(), n.subnet(), List.of(), null, null, false, Duration.ofSeconds(1), Duration.ofSeconds(5), 10L << 20, 2,
                Duration.ofSeconds(10), 64L << 20, n.firewallTable(), n.publishAddress(), 2, List.of(), false, null, null, null, null, null, false,
                n.mode(), n.publishMode(), false, dev.berth.executor.container.ContainerPlanner.NodeRules.DEFAULT_USERNS_BASE, null);
    }

    /** This config with some keys changed ({@code "cgroupParent", "berth-test"}), checked as a file would be. */
    public ExecutorConfig with(Object... keysAndValues) {
        return Settings.with(this, keysAndValues);
    }

    public ExecutorConfig with(Map<String, ?> changes) {
        return Settings.with(this, changes);
    }

    @Override
    public List<FieldError> problems() {
        var errors = new ArrayList<FieldError>();
        if (nodeId == null || !nodeId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            errors.add(new FieldError("nodeId", "\"" + nodeId + "\" is not a node id (letters, digits, . _ -, at most 63, starting with a letter or digit)"));
        }
        if (dataDir == null) errors.add(new FieldError("dataDir", "must be set"));
        if (cgroupParent == null || !cgroupParent.matches("[A-Za-z0-9._-]*berth[A-Za-z0-9._-]*")) {
            errors.add(new FieldError("cgroupParent", "\"" + cgroupParent + "\" must be one cgroup name containing \"berth\""));
        }
        for (String s : schedulers) {
            if (HostPort.parse(s, DEFAULT_SCHEDULER_PORT) == null) errors.add(new FieldError("schedulers", "\"" + s + "\" is not host or host:port"));
        }
        check(errors, "bind", bind);
        if (advertise != null) check(errors, "advertise", advertise);
        try {
            network();
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().replaceFirst("^network\\.(\\w+):.*", "$1");
            key = switch (key) {
                case "mode" -> "networkMode";
                case "bridge", "subnet", "publishMode" -> key;
                default -> "subnet";
            };
            errors.add(new FieldError(key, e.getMessage().replaceFirst("^network\\.\\w+: ", "")));
        }
        resource.forEach((k, v) -> {
            if (!k.matches("[a-z][a-z0-9_.-]*") || v < 0) errors.add(new FieldError("resource." + k, "a lower-case name and a count of at least 0"));
        });
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) errors.add(new FieldError("heartbeatInterval", "must be more than 0"));
        if (usernsBase < 65_536 || usernsBase > 0xFFFF_0000L - 65_536) {
            errors.add(new FieldError("usernsBase", usernsBase + " is not in 65536–" + (0xFFFF_0000L - 65_536) + " (host ids below are the host's own users)"));
        }
        if (pids != null && pids < 1) errors.add(new FieldError("pids", pids + " is not at least 1"));
        if (pullThreads < 1 || pullThreads > 64) errors.add(new FieldError("pullThreads", pullThreads + " is not in 1–64"));
        for (String cap : allowCaps) {
            if (cap.equalsIgnoreCase("ALL")) continue;
            try {
                dev.berth.executor.linux.Capabilities.number(cap);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("allowCaps", e.getMessage()));
            }
        }
        errors.addAll(dev.berth.model.config.TlsFiles.problems(tlsCa, tlsCert, tlsKey));
        boolean remote = schedulerAddresses().stream().anyMatch(h -> h != null && !h.host().startsWith("127.") && !h.host().equals("localhost"));
        if (remote && tls() == null && !insecure) {
            errors.add(new FieldError("insecure", "schedulers beyond loopback need TLS (--tls-ca, --tls-cert, --tls-key; berth tls makes them):"
                    + " anyone on the path could read and forge what this node is told to run. To go without it on a network you trust, pass --insecure"));
        }
        if (tls() != null) certificateNamesNode(errors);
        return errors;
    }

    /** The node's certificate must name it: the schedulers let a connection act only as the node its certificate names. */
    private void certificateNamesNode(List<FieldError> errors) {
        if (!errors.isEmpty()) return;
        try {
            var cert = dev.berth.model.config.PemTls.certificates(tlsCert).getFirst();
            var id = dev.berth.model.config.Peers.identity(cert);
            if (id.isEmpty() || !id.get().role().equals(dev.berth.model.config.Peers.EXECUTOR)) {
                errors.add(new FieldError("tlsCert", tlsCert + " is not an executor certificate (berth tls cert create --role executor --name " + nodeId + ")"));
            } else if (!id.get().name().equals(nodeId)) {
                errors.add(new FieldError("tlsCert", tlsCert + " names node " + id.get().name() + ", not " + nodeId
                        + ": the schedulers would refuse this node's messages (make one with --name " + nodeId + ")"));
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            errors.add(new FieldError("tlsCert", "cannot read " + tlsCert + ": " + e.getMessage()));
        }
    }

    /** The TLS files, or null for plaintext. */
    public dev.berth.model.config.TlsFiles tls() {
        return dev.berth.model.config.TlsFiles.of(tlsCa, tlsCert, tlsKey);
    }

    private static void check(List<FieldError> errors, String key, String address) {
        if (address == null || !HostPort.isIpv4(address)) errors.add(new FieldError(key, "\"" + address + "\" is not an IPv4 address"));
    }

    /** The node's own address as the schedulers and users see it. */
    public String address() {
        return HostPort.advertised(bind, advertise);
    }

    /** What the node offers: the flags, or what the host has. */
    public Resources capacity() {
        Resources detected = HostResources.detect();
        return new Resources(cpu != null ? cpu : detected.cpu(), memory != null ? memory : detected.memory(), pids != null ? pids : 0, detected.io(), resource);
    }

    public NodePolicy policy() {
        return new NodePolicy(java.util.Set.copyOf(allowCaps), allowUnconfined, maxTaskCpu, maxTaskMemory);
    }

    public NetworkConfig network() {
        // DNAT cannot serve loopback (it would need route_localnet), and a node bound to loopback publishes there
        boolean loopback = bind != null && address() != null && address().startsWith("127.");
        String how = NetworkConfig.DNAT.equals(publishMode) && loopback ? NetworkConfig.RELAY : publishMode;
        return new NetworkConfig(bridge, subnet, firewallTable, publishAddress, dns, egress, networkMode, how);
    }

    public RegistryConfig registryConfig() throws IOException {
        return registries == null ? RegistryConfig.NONE : RegistryConfig.read(registries);
    }

    public List<HostPort> schedulerAddresses() {
        return schedulers.stream().map(s -> HostPort.parse(s, DEFAULT_SCHEDULER_PORT)).toList();
    }

}
