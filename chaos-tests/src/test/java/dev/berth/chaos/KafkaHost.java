package dev.berth.chaos;

import dev.berth.cli.up.EmbeddedKafka;
import java.nio.file.Path;

/** A Kafka broker (KRaft, one node) as a process of its own on a test host: {@code DIR PORT ADDRESS}. */
public final class KafkaHost {
    private KafkaHost() {
    }

    public static void main(String[] args) throws Exception {
        var kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]), args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } catch (Exception e) {
                System.out.println("stopping Kafka: " + e);
            }
        }));
        System.out.println("Kafka up at " + kafka.bootstrap());
        Thread.currentThread().join();
    }
}
