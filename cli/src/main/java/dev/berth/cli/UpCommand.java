package dev.berth.cli;

import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.scheduler.SchedulerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run Berth on this machine: a scheduler member and an executor node in one process. Ctrl-C stops it.")
final class UpCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "state dir (default /var/lib/berth as root, else ~/.berth)")
    Path dataDir;

    @Option(names = "--port", defaultValue = "7070", description = "API port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--cluster-port", defaultValue = "5701", description = "Hazelcast port on loopback (default ${DEFAULT-VALUE})")
    int clusterPort;

    @Option(names = "--node-id", description = "this node's id (default: the host name)")
    String nodeId;

    @Option(names = "--cpu", description = "cpu to offer, e.g. 2 or 1500m (default: all cores)")
    String cpu;

    @Option(names = "--memory", description = "memory to offer, e.g. 4Gi (default: all memory)")
    String memory;

    @Option(names = "--allow-volume", paramLabel = "DIR", description = "a host dir that tasks may mount (repeatable)")
    java.util.List<Path> allowVolume = new java.util.ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "a node label for constraints, e.g. zone=a (repeatable)")
    java.util.Map<String, String> label = new java.util.LinkedHashMap<>();

    @Option(names = "--resource", paramLabel = "NAME=N", description = "an extended resource this node offers, e.g. gpu=2 (repeatable)")
    java.util.Map<String, String> resource = new java.util.LinkedHashMap<>();

    @Option(names = "--node-ttl", defaultValue = "10s", paramLabel = "DURATION", description = "a node silent this long is down (default ${DEFAULT-VALUE})")
    String nodeTtl;

    @picocli.CommandLine.Mixin ClusterPolicyOptions clusterPolicy;

    @picocli.CommandLine.Mixin NodePolicyOptions policy;

    @Option(names = "--bridge", defaultValue = "berth0", paramLabel = "NAME", description = "the node's container bridge (default ${DEFAULT-VALUE})")
    String bridge;

    @Option(names = "--subnet", defaultValue = "10.210.0.0/16", paramLabel = "CIDR", description = "containers' addresses; the first is the bridge's (default ${DEFAULT-VALUE})")
    String subnet;

    @Option(names = "--allow-host-network", description = "let tasks ask for network mode host")
    boolean allowHostNetwork;

    @Option(names = "--egress", description = "let containers reach beyond the cluster's containers, masqueraded as this node (IPv4 forwarding and nf_tables masquerade, undone on stop; off by default)")
    boolean egress;

    @Option(names = "--dns", paramLabel = "IP", description = "a nameserver for containers' resolv.conf (repeatable; default: the host's, without loopback ones)")
    java.util.List<String> dns = new java.util.ArrayList<>();

    @Option(names = "--registries", paramLabel = "FILE", description = "registry mirrors, insecure registries and credentials for pulls (JSON or YAML)")
    Path registries;

    @Option(names = "--kafka", paramLabel = "HOST:PORT,…", description = "external Kafka brokers for usage events (default: an embedded broker under the data dir)")
    String kafka;

    @Option(names = "--acl", description = "ask API requests for tokens (berth acl bootstrap makes the first)")
    boolean acl;

    @picocli.CommandLine.Mixin TlsOptions tls;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path data = dataDir != null ? dataDir : defaultDataDir();
        Files.createDirectories(data);
        // One set of flags for two components: each flag goes to the one with a key of its name (--kafka and --data-dir to both).
        var given = Flags.given(spec);
        given.put("dataDir", data);
        // TLS is the API's here: the executor is in this process and needs none
        var forExecutor = only(given, ExecutorConfig.class);
        forExecutor.keySet().removeIf(k -> k.startsWith("tls"));
        // one host: its node keeps the whole range rather than a leased block
        forExecutor.putIfAbsent("subnet", subnet);
        var executor = Flags.read(ExecutorConfig.of(hostName(), data), null, forExecutor);
        var scheduler = Flags.read(SchedulerConfig.defaults().with("port", port, "clusterPort", clusterPort, "busPort", 0, "clusterName", "berth-" + port),
                null, only(given, SchedulerConfig.class));
        out.println("Starting Berth…");
        out.flush();
        AllInOne berth;
        try {
            var runtime = NodeRuntime.create(executor);
            var cluster = ClusterSettings.single(scheduler.clusterName(), clusterPort);
            berth = kafka != null
                    ? AllInOne.start(cluster, scheduler, executor, runtime)
                    : AllInOne.startWithKafka(data.resolve("kafka"), cluster, scheduler, executor, runtime);
        } catch (Exception e) {
            throw new IOException("cannot start Berth: " + rootMessage(e), e);
        }
        var foreground = Foreground.stopOnSignal(out, "Berth", "ending tasks, leaving the cluster", () -> berth.stop(Duration.ofSeconds(30)));
        String api = (scheduler.tls() != null ? "https" : "http") + "://127.0.0.1:" + berth.apiPort();
        var capacity = executor.capacity();
        out.printf("%nBerth is up.%n  API    %s" + (scheduler.aclEnabled() ? " (tokens on: berth acl bootstrap makes the first)" : "")
                        + "%n  Web UI %s/ui/%n  Node   %s (cpu %s, memory %s)%n  Bridge %s (%s)%n  Kafka  %s%n  Data   %s%n",
                api, api, executor.nodeId(), capacity.cpu(), capacity.memory().human(), bridge, subnet,
                kafka != null ? kafka : berth.kafka().bootstrap() + " (embedded, usage events on berth.usage)", data);
        var images = NodeRuntime.images(executor).list();
        out.printf("  Images %s%n%n", images.isEmpty() ? "none yet (pulled when a job needs one; or: ./berth image busybox --name busybox:1.36" + (dataDir != null ? " --data-dir " + data : "") + ")"
                : String.join(", ", images.stream().map(dev.berth.executor.image.Image::name).toList()));
        var tryIt = new StringBuilder("Try it:\n");
        if (scheduler.tls() != null) tryIt.append("  export BERTH_ADDR=").append(api).append(" BERTH_TLS_CA=").append(scheduler.tlsCa()).append('\n');
        if (scheduler.aclEnabled()) tryIt.append("  export BERTH_TOKEN=$(./berth acl bootstrap | awk '/^Secret/ {print $2}')\n");
        tryIt.append("  ./berth job run examples/hello.yaml\n  curl ").append(scheduler.tls() != null ? "--cacert " + scheduler.tlsCa() + " " : "")
                .append(scheduler.aclEnabled() ? "-H \"Authorization: Bearer $BERTH_TOKEN\" " : "").append(api).append("/v1/jobs\n\nPress Ctrl-C to stop.\n");
        out.print(tryIt);
        out.flush();
        foreground.await();
        return 0;
    }

    /** The keys of {@code given} that {@code type} has. */
    static Map<String, Object> only(Map<String, Object> given, Class<? extends Record> type) {
        var names = java.util.Arrays.stream(type.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList();
        var out = new java.util.LinkedHashMap<String, Object>();
        given.forEach((k, v) -> {
            if (names.contains(k)) out.put(k, v);
        });
        return out;
    }

    static Path defaultDataDir() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? Path.of("/var/lib/berth") : Path.of(System.getProperty("user.home"), ".berth");
    }

    static String hostName() {
        try {
            return dev.berth.executor.ProcFiles.readTrimmed(Path.of("/proc/sys/kernel/hostname"));
        } catch (IOException e) {
            return "node-1";
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
