package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.up.AllInOne;
import dev.berth.cli.up.EmbeddedKafka;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.model.codec.Json;
import dev.berth.model.usage.UsageEvent;
import dev.berth.scheduler.SchedulerConfig;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Usage from a real container through the real embedded Kafka broker to the capacity planner:
 * what a task uses is measured within tolerance, and a broker outage of over a minute and an
 * executor restart lose no event. Slow (about two minutes): tagged, and run in CI all the same.
 */
@Tag("slow")
class UsageTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    Path dataDir;
    EmbeddedKafka kafka;
    AllInOne berth;
    String api;

    @AfterEach
    void down() throws Exception {
        if (berth != null) berth.close();
        if (kafka != null) kafka.close();
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("a task burning half a core and holding 64 MiB is measured so; a 65 s broker outage and an executor restart lose no event")
    void usageThroughKafka() throws Exception {
        dataDir = Files.createTempDirectory("berth-usage-");
        kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
        var executor = ExecutorConfig.of("usage-node", dataDir).with("cgroupParent", "berth-usage-test", "heartbeatInterval", "500ms",
                "kafka", kafka.bootstrap(), "usageInterval", "2s").with(TestDirs.network("usage", 16));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort = EndToEndTest.freePort();
        berth = AllInOne.start(ClusterSettings.single("berth-usage-" + clusterPort, clusterPort),
                SchedulerConfig.defaults().with("port", 0, "kafka", kafka.bootstrap()), executor, NodeRuntime.create(executor));
        api = "http://127.0.0.1:" + berth.apiPort();
        String job = post("/v1/jobs", """
                {"name": "burn", "type": "service", "groups": [{"tasks": [{"name": "spin", "image": "busybox", "killTimeout": "1s",
                  "resources": {"cpu": "500m", "memory": "256Mi"},
                  "command": ["sh", "-c", "head -c 64m /dev/zero > /dev/shm/hold; while :; do :; done"]}]}]}
                """).getString("id");

        // Measured: cpu limited to 0.5 core by its quota, 64 MiB held in /dev/shm (shared memory counts to the cgroup).
        await().atMost(Duration.ofSeconds(60)).until(() -> allocationEvents(readAll(), job).stream().filter(e -> e.metrics().containsKey("container.cpu.usage")).count() >= 3);
        var measured = allocationEvents(readAll(), job).stream().filter(e -> e.metrics().containsKey("container.cpu.usage")).toList();
        var last = measured.getLast();
        assertThat(last.metric("container.cpu.usage")).as("cores").isBetween(0.40, 0.60);
        assertThat(last.metric("container.memory.usage")).as("working set").isBetween(64.0 * (1 << 20), 88.0 * (1 << 20));
        assertThat(last.metric("container.cpu.throttled_time")).as("the quota held it back").isPositive();
        assertThat(last.requested().cpu()).isEqualTo(0.5);
        String metrics = get("/metrics");
        assertThat(gauge(metrics, "berth_allocation_cpu_usage_cores")).isBetween(0.35, 0.65);
        assertThat(gauge(metrics, "berth_allocation_memory_usage_bytes")).isBetween(64.0 * (1 << 20), 88.0 * (1 << 20));
        assertThat(gauge(metrics, "berth_node_cpu_capacity_cores")).isPositive();

        // The broker goes away for over a minute while the task runs: events wait in the node's spool.
        long before = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/next")).trim()) - 1;
        kafka.close();
        kafka = null;
        // over a minute with no broker: held (and watched) with Awaitility, nothing acknowledged meanwhile
        await("a broker outage of 65 s").during(Duration.ofSeconds(65)).atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Long.parseLong(Files.readString(dataDir.resolve("usage-spool/acked")).trim()) <= before);
        long during = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/next")).trim()) - 1;
        long ackedDuring = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/acked")).trim());
        assertThat(during - before).as("events made during the outage").isGreaterThanOrEqualTo(40);
        assertThat(ackedDuring).as("none acknowledged while the broker was away").isLessThanOrEqualTo(before);
        kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0); // same dir, same ports

        // And the executor restarts: its task is stopped, placed again, and the numbering goes on.
        berth.restartExecutor(executor);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            long next = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/next")).trim());
            long acked = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/acked")).trim());
            return next - 1 > during + 5 && acked == next - 1;
        });
        long lastSequence = Long.parseLong(Files.readString(dataDir.resolve("usage-spool/acked")).trim());
        var all = readAll();
        var seen = new TreeSet<Long>();
        all.forEach(e -> seen.add(e.sequence()));
        assertThat(seen.first()).isEqualTo(1);
        assertThat(seen.last()).isGreaterThanOrEqualTo(lastSequence);
        assertThat(seen).as("every event once at least, after dropping duplicates: no gap").hasSize((int) (long) seen.last());
        System.out.printf("usage events: %d in the topic, %d distinct (sequences 1..%d), %d duplicate(s) dropped%n",
                all.size(), seen.size(), seen.last(), all.size() - seen.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(get("/v1/capacity")).getJsonObject("planner").getLong("events") >= lastSequence);
        var planner = new JsonObject(get("/v1/capacity")).getJsonObject("planner");
        assertThat(planner.getJsonObject("highestSequence").getLong("usage-node")).isGreaterThanOrEqualTo(lastSequence);
        var recs = new JsonObject(get("/v1/capacity/recommendations")).getJsonArray("recommendations");
        var burn = recs.stream().map(o -> (JsonObject) o).filter(r -> r.getString("jobId").equals(job)).findFirst().orElseThrow();
        assertThat(burn.getJsonObject("cpu").getDouble("target")).as("cpu target: p90 of ~0.5 plus 15%").isBetween(0.45, 0.8);
        assertThat(burn.getJsonObject("memory").getDouble("target")).as("memory target").isBetween(64.0 * (1 << 20), 128.0 * (1 << 20));
        assertThat(burn.getLong("cpuSamples")).isGreaterThanOrEqualTo(3);
        var history = new JsonObject(get("/v1/capacity/history?resource=cpu&range=10m&step=10s"));
        assertThat(history.getJsonObject("nodes").getJsonArray("usage-node")).isNotEmpty();
        assertThat(history.getJsonObject("allocated").getJsonObject("nodes").getJsonArray("usage-node").stream()
                .map(p -> ((JsonArray) p).getDouble(1))).as("cpu allocated over time").contains(0.5);
        assertThat(history.getJsonObject("capacity").getJsonArray("cluster")).isNotEmpty();
        HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + job)).DELETE().build(), HttpResponse.BodyHandlers.ofString());

        // The first run's end (the executor's restart ended it) went to berth.accounting, spooled through the restart, with what it used.
        java.util.function.Predicate<UsageEvent> firstRun = e -> job.equals(e.jobId()) && e.ended() != null && "lost".equals(e.ended().status())
                && e.ended().reason() != null && e.ended().reason().contains("shut down");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> readAll(UsageEvent.ACCOUNTING_TOPIC).stream().anyMatch(firstRun));
        var ended = readAll(UsageEvent.ACCOUNTING_TOPIC).stream().filter(firstRun).findFirst().orElseThrow();
        assertThat(ended.kind()).isEqualTo(UsageEvent.ACCOUNTING);
        assertThat(ended.metric("container.cpu.time")).as("cpu seconds: over a minute at half a core").isGreaterThan(10);
        assertThat(ended.metric("container.memory.peak")).as("peak memory, 64 MiB held").isGreaterThanOrEqualTo(64.0 * (1 << 20));
        assertThat(ended.metric("allocation.elapsed")).isGreaterThan(ended.metric("container.cpu.time"));
        assertThat(ended.ended().startedAt()).isBefore(ended.ended().finishedAt());
    }

    static double gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .max().orElse(-1);
    }

    static List<UsageEvent> allocationEvents(List<UsageEvent> events, String job) {
        return events.stream().filter(e -> UsageEvent.ALLOCATION.equals(e.kind()) && job.equals(e.jobId())).toList();
    }

    List<UsageEvent> readAll() {
        return readAll(UsageEvent.TOPIC);
    }

    /** Every event in the topic, from the start, as a plain consumer sees them. */
    List<UsageEvent> readAll(String topic) {
        var p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        // a topic not made yet reads as empty (the awaits ask again), and no call blocks for a minute on a partition still electing
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        var out = new ArrayList<UsageEvent>();
        try (var consumer = new KafkaConsumer<String, String>(p)) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(Json.read(r.value(), UsageEvent.class)));
            }
        }
        return out;
    }

    String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    JsonObject post(String path, String json) throws Exception {
        var res = HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return new JsonObject(res.body());
    }

}
