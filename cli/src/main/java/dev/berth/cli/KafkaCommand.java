package dev.berth.cli;

import dev.berth.cli.up.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.Uuid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = KafkaCommand.ClusterId.class,
        description = {"Run one Kafka member for the usage events (KRaft, broker and controller in one process: Kafka 4.4, the server berth up embeds).",
                "Every member gets the same --voters and --cluster-id; its log directory is formatted with them at the first start."})
final class KafkaCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    // Not picocli-required: `berth kafka cluster-id` needs neither; call() says which is missing.
    @Option(names = "--node-id", paramLabel = "N", description = "this member's id, as in --voters (required)")
    Integer nodeId;
    @Option(names = "--voters", split = ",", paramLabel = "ID@HOST:PORT",
            description = "every member's id and controller address, the same list on each (comma-separated; required)")
    List<String> voters = new ArrayList<>();
    @Option(names = "--cluster-id", paramLabel = "ID", description = "formats a new log directory (berth kafka cluster-id makes one; needless once formatted)")
    String clusterId;
    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "both listeners bind here (default ${DEFAULT-VALUE})")
    String bind;
    @Option(names = "--advertise", paramLabel = "ADDR", description = "what clients are told (default: the bind address)")
    String advertise;
    @Option(names = "--port", defaultValue = "9092", description = "clients' port (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--controller-port", defaultValue = "9093", description = "the controllers' port, as in --voters (default ${DEFAULT-VALUE})")
    int controllerPort;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "the log directory (default <berth data dir>/kafka/logs)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (nodeId == null) throw new IllegalArgumentException("--node-id: required (this member's id, as in --voters)");
        if (voters.isEmpty()) throw new IllegalArgumentException("--voters: required (every member's ID@HOST:CONTROLLER_PORT, e.g. 1@10.0.0.1:9093,2@10.0.0.2:9093,3@10.0.0.3:9093)");
        for (int i = 0; i < voters.size(); i++) {
            if (!voters.get(i).matches("\\d+@[^:@]+:\\d+")) {
                throw new IllegalArgumentException("--voters[" + i + "]: \"" + voters.get(i) + "\" is not ID@HOST:PORT");
            }
        }
        if (voters.stream().noneMatch(v -> v.startsWith(nodeId + "@"))) {
            throw new IllegalArgumentException("--node-id: " + nodeId + " is not among --voters " + String.join(",", voters));
        }
        Path logs = dataDir != null ? dataDir : UpCommand.defaultDataDir().resolve("kafka").resolve("logs");
        String adv = advertise != null ? advertise : bind;
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(logs, new EmbeddedKafka.Broker(nodeId, bind, adv, port, controllerPort, voters, clusterId));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot start Kafka: " + UpCommand.rootMessage(e), e);
        }
        var foreground = Foreground.stopOnSignal(out, "Kafka", "closing its logs", kafka::close);
        out.printf("Kafka member %d up.%n  Clients %s%n  Voters  %s%n  Logs    %s%n", nodeId, kafka.bootstrap(), String.join(",", voters), logs);
        out.flush();
        foreground.await();
        return 0;
    }

    @Command(name = "cluster-id", description = "Print a new Kafka cluster id (once per Kafka cluster; give it to every member's --cluster-id).")
    static final class ClusterId implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(Uuid.randomUuid());
            return 0;
        }
    }
}
