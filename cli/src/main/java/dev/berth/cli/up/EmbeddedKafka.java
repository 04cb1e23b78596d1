package dev.berth.cli.up;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The single-node KRaft broker of {@code berth up} (broker and controller in one, Kafka 4.x), its
 * data under {@code <data>/kafka}. Formatted once; its ports are chosen on the first start and
 * kept in {@code ports} so that a restart (and every client) finds it where it was.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaRaftServer server;
    private final int brokerPort;
    private final String host;

    private EmbeddedKafka(KafkaRaftServer server, int brokerPort, String host) {
        this.server = server;
        this.brokerPort = brokerPort;
        this.host = host;
    }

    /** @param brokerPort 0: the port of an earlier start, else a free one */
    public static EmbeddedKafka start(Path dir, int brokerPort) throws Exception {
        return start(dir, brokerPort, "127.0.0.1");
    }

    /** @param host the address both listeners bind and the broker advertises */
    public static EmbeddedKafka start(Path dir, int brokerPort, String host) throws Exception {
        Files.createDirectories(dir);
        Path portsFile = dir.resolve("ports");
        int broker, controller;
        if (Files.exists(portsFile)) {
            String[] p = Files.readString(portsFile).trim().split(" ");
            broker = brokerPort != 0 ? brokerPort : Integer.parseInt(p[0]);
            controller = Integer.parseInt(p[1]);
        } else {
            broker = brokerPort != 0 ? brokerPort : freePort();
            controller = freePort();
        }
        Files.writeString(portsFile, broker + " " + controller + "\n");
        Path logs = dir.resolve("logs");
        String clusterId = Files.exists(logs.resolve("meta.properties")) ? null : Uuid.randomUuid().toString();
        var broker1 = new Broker(1, host, host, broker, controller, List.of("1@" + host + ":" + controller), clusterId);
        return start(logs, broker1);
    }

    /**
     * One member of a KRaft cluster, broker and controller in one process (as {@code berth kafka}
     * runs it on each Kafka host): {@code voters} are every member's {@code ID@HOST:CONTROLLER_PORT};
     * internal topics are replicated to up to three of them.
     *
     * @param clusterId the id to format a new log directory with, the same on every member; null
     *                  when the directory is formatted already (a mismatch there is Kafka's to refuse)
     */
    public record Broker(int nodeId, String bind, String advertise, int port, int controllerPort, List<String> voters, String clusterId) {
        int replication() {
            return Math.min(3, voters.size());
        }
    }

    /** Formats {@code logs} on first use with the broker's cluster id, then starts it. */
    public static EmbeddedKafka start(Path logs, Broker b) throws Exception {
        Files.createDirectories(logs);
        int rf = b.replication();
        var props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(b.nodeId()));
        props.put("controller.quorum.voters", String.join(",", b.voters()));
        props.put("listeners", "PLAINTEXT://" + b.bind() + ":" + b.port() + ",CONTROLLER://" + b.bind() + ":" + b.controllerPort());
        props.put("advertised.listeners", "PLAINTEXT://" + b.advertise() + ":" + b.port());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logs.toString());
        props.put("offsets.topic.replication.factor", Integer.toString(rf));
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", Integer.toString(rf));
        props.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, rf)));
        props.put("default.replication.factor", Integer.toString(rf));
        props.put("min.insync.replicas", Integer.toString(Math.min(2, rf)));
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        props.put("log.retention.hours", "168");
        var config = new KafkaConfig(props, false);
        if (!Files.exists(logs.resolve("meta.properties"))) {
            if (b.clusterId() == null) throw new IllegalArgumentException("cluster id: needed to format the new log directory " + logs);
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(b.clusterId()).setNodeId(b.nodeId())
                    .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(logs.toString())
                    .setDirectories(List.of(logs.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        }
        var server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, b.port(), b.advertise());
    }

    public String bootstrap() {
        return host + ":" + brokerPort;
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
