package dev.berth.cli.up;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
        var props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + host + ":" + controller);
        props.put("listeners", "PLAINTEXT://" + host + ":" + broker + ",CONTROLLER://" + host + ":" + controller);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + broker);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logs.toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        props.put("log.retention.hours", "168");
        var config = new KafkaConfig(props, false);
        if (!Files.exists(logs.resolve("meta.properties"))) {
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString()).setNodeId(1)
                    .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(logs.toString())
                    .setDirectories(java.util.List.of(logs.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        }
        var server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(server, broker, host);
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
