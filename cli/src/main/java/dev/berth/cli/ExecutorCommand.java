package dev.berth.cli;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.NodeRuntime;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "executor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run this host's executor node: it connects to a scheduler member (the next listed one when that goes away),",
                "runs the containers it is sent and heartbeats its usage. Every flag is also a key of the --config file (camelCase); a flag wins."})
final class ExecutorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "settings file (YAML): schedulers, nodeId, cgroupParent, …")
    Path config;
    @Option(names = "--schedulers", paramLabel = "HOST:PORT", description = "a scheduler member's executor port (repeatable; port 4647 when left out)")
    List<String> schedulers = new ArrayList<>();
    @Option(names = "--bind", paramLabel = "ADDR", description = "the node's address; published ports listen on every address (default 127.0.0.1)")
    String bind;
    @Option(names = "--advertise", paramLabel = "ADDR", description = "the address shown for this node and its published ports (default: the bind address)")
    String advertise;
    @Option(names = "--node-id", paramLabel = "ID", description = "this node's id (default: the host name)")
    String nodeId;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "images, containers, logs (default /var/lib/berth as root, else ~/.berth)")
    Path dataDir;
    @Option(names = "--cgroup-parent", paramLabel = "NAME", description = "containers' cgroup parent, containing \"berth\" (default berth)")
    String cgroupParent;
    @Option(names = "--cpu", description = "cpu to offer, e.g. 2 or 1500m (default: all cores)")
    String cpu;
    @Option(names = "--memory", description = "memory to offer, e.g. 4Gi (default: all memory)")
    String memory;
    @Option(names = "--pids", description = "pids to offer placement, each task's pids limit counting against them (default: not counted; a task's pids is a limit its cgroup enforces)")
    Long pids;
    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "a node label for constraints (repeatable)")
    Map<String, String> label = new LinkedHashMap<>();
    @Option(names = "--resource", paramLabel = "NAME=N", description = "an extended resource this node offers, e.g. gpu=2 (repeatable)")
    Map<String, String> resource = new LinkedHashMap<>();
    @Option(names = "--allow-volume", paramLabel = "DIR", description = "a host dir that tasks may mount (repeatable)")
    List<Path> allowVolume = new ArrayList<>();
    @Option(names = "--allow-host-network", description = "let tasks ask for network mode host")
    boolean allowHostNetwork;

    @Option(names = "--egress", description = "let containers reach beyond the cluster's containers, masqueraded as this node (IPv4 forwarding and nf_tables masquerade, undone on stop; off by default)")
    boolean egress;
    @Option(names = "--network-mode", paramLabel = "MODE", description = "how containers reach other nodes' containers: host-gw (routes through node addresses; nodes on one L2 segment) or vxlan (a VXLAN device, UDP 4789, over any IPv4 path); one mode for the whole cluster (default host-gw)")
    String networkMode;
    @Option(names = "--publish-mode", paramLabel = "MODE", description = "published ports: dnat (forwarded in the kernel for traffic to the node's address, relayed for loopback and containers) or relay (every byte through the node); default dnat, relay for a node bound to loopback")
    String publishMode;
    @Option(names = "--userns-default", description = "give every task a user namespace, asked for or not (root inside, 65,536 unprivileged host ids outside)")
    boolean usernsDefault;
    @Option(names = "--userns-base", paramLabel = "ID", description = "the first host id of the ranges user namespaces map to (default 100000; 65,536 ids a container)")
    Long usernsBase;
    @picocli.CommandLine.Mixin NodePolicyOptions policy;
    @Option(names = "--bridge", paramLabel = "NAME", description = "the node's container bridge (default berth0)")
    String bridge;
    @Option(names = "--subnet", paramLabel = "CIDR", description = "containers' addresses (default: a block of the schedulers' container range, leased when the node first connects)")
    String subnet;
    @Option(names = "--dns", paramLabel = "IP", description = "a nameserver for containers (repeatable; default: the host's, without loopback ones)")
    List<String> dns = new ArrayList<>();
    @Option(names = "--registries", paramLabel = "FILE", description = "registry mirrors, insecure registries and credentials (JSON or YAML)")
    Path registries;
    @Option(names = "--kafka", paramLabel = "HOST:PORT,…", description = "Kafka brokers for usage events")
    String kafka;
    @picocli.CommandLine.Mixin TlsOptions tls;
    @Option(names = "--insecure", description = "plaintext to schedulers beyond loopback, on a network you trust")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var defaults = ExecutorConfig.of(UpCommand.hostName(), UpCommand.defaultDataDir()).with("schedulers", List.of("127.0.0.1"));
        ExecutorConfig settings = Flags.read(defaults, config, Flags.given(spec));
        if (settings.tls() == null && settings.insecure()) {
            out.println("WARNING: --insecure: this node's link to the schedulers is plaintext; whoever is on the path can read it and tell this node what to run.");
            out.flush();
        }
        Vertx vertx = Vertx.vertx();
        dev.berth.executor.runtime.TaskRuntime runtime;
        try {
            runtime = NodeRuntime.create(settings);
            vertx.deployVerticle(new ExecutorVerticle(settings, runtime, Clock.systemUTC())).await(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close().await(30, TimeUnit.SECONDS);
            throw new IOException("cannot start the executor: " + UpCommand.rootMessage(e), e);
        }
        var foreground = Foreground.stopOnSignal(out, "the executor", "ending tasks", () -> vertx.close().await(60, TimeUnit.SECONDS));
        var capacity = settings.capacity();
        out.printf("Berth executor up.%n  Node       %s at %s (cpu %s, memory %s)%n  Schedulers %s%n  Bridge     %s (%s)%n  Data       %s%n",
                settings.nodeId(), settings.address(), capacity.cpu(), capacity.memory().human(),
                String.join(", ", settings.schedulerAddresses().stream().map(Object::toString).toList()), settings.bridge(), runtime.subnet(), settings.dataDir());
        out.flush();
        foreground.await();
        return 0;
    }
}
