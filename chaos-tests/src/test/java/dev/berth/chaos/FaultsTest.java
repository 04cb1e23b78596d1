package dev.berth.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Faults on a cluster of real processes with TLS and tokens on, each checked afterwards against
 * what the executors recorded they ran ({@link History}), not against timing luck.
 */
class FaultsTest {
    static final String NODE_TTL = "5s";

    ChaosCluster cluster;
    boolean passed;

    @AfterEach
    void down(TestInfo info) throws Exception {
        if (cluster == null) return;
        if (!passed) {
            System.out.println("processes' logs of " + info.getDisplayName() + ":" + cluster.logs());
            try {
                System.out.println(cluster.history().table());
            } catch (Exception e) {
                System.out.println("(no history: " + e.getMessage() + ")");
            }
        }
        cluster.close();
    }

    static String batch(String name, int count, String seconds) {
        return """
                {"name": "%s", "groups": [{"count": %d, "tasks": [{"image": "busybox", "resources": {"cpu": "10m", "memory": "8Mi"},
                  "command": ["sleep", "%s"]}]}]}""".formatted(name, count, seconds);
    }

    static String service(String name) {
        return """
                {"name": "%s", "type": "service", "groups": [{"reschedule": {"delay": "1s", "delayFunction": "constant"},
                  "tasks": [{"image": "busybox", "killTimeout": "1s", "resources": {"cpu": "100m", "memory": "32Mi"}, "command": ["sleep", "600"]}]}]}"""
                .formatted(name);
    }

    void up(int schedulers, int executors) throws Exception {
        cluster = new ChaosCluster(schedulers);
        for (int i = 1; i <= schedulers; i++) cluster.startScheduler(i, NODE_TTL);
        for (int i = 1; i <= executors; i++) cluster.startExecutor(i);
        await("every node ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> cluster.readyNodes(cluster.api(1)).size() == executors);
        // every member, not only a majority: a test may send to any of them (a third JVM can start seconds after the others)
        await("every member answers").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> java.util.stream.IntStream.rangeClosed(1, schedulers).allMatch(i -> cluster.health(i) != null));
        await("a leader").atMost(Duration.ofSeconds(60)).until(() -> cluster.leader() > 0);
    }

    void awaitStatus(String api, String job, String status, Duration within) {
        await(job + " " + status).atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> cluster.job(api, job).getString("status").equals(status));
    }

    static void noViolations(History h, List<String> violations) {
        assertThat(violations).as(h.table()).isEmpty();
    }

    @Test
    @DisplayName("SIGSTOP of the leader beyond its CP session TTL, then SIGCONT: another member leads, the woken one has stepped down, and no node obeys it")
    void pausedLeader() throws Exception {
        up(3, 2);
        int old = cluster.leader();
        long oldEpoch = cluster.health(old).getLong("epoch");
        int other = IntStream.rangeClosed(1, 3).filter(i -> i != old).findFirst().orElseThrow();
        String before = cluster.submit(cluster.api(old), batch("before", 2, "1"));
        awaitStatus(cluster.api(old), before, "complete", Duration.ofSeconds(60));

        cluster.pause("s" + old);
        long paused = System.nanoTime();
        await("another member leads with a newer epoch").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> IntStream.rangeClosed(1, 3).filter(i -> i != old)
                        .anyMatch(i -> cluster.health(i) != null && cluster.health(i).getBoolean("leading") && cluster.health(i).getLong("epoch") > oldEpoch));
        Instant newLed = Instant.now();
        System.out.printf("leader s%d paused: another member led %.1f s later%n", old, (System.nanoTime() - paused) / 1e9);
        long newEpoch = IntStream.rangeClosed(1, 3).filter(i -> i != old).mapToObj(cluster::health)
                .filter(h -> h != null && h.getBoolean("leading")).findFirst().orElseThrow().getLong("epoch");
        cluster.resume("s" + old);
        long resumed = System.nanoTime();
        String during = cluster.submit(cluster.api(other), batch("during", 2, "1"));
        await("the woken member does not lead").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.health(old) != null && !cluster.health(old).getBoolean("leading"));
        System.out.printf("s%d woken: answering as a follower %.1f s later%n", old, (System.nanoTime() - resumed) / 1e9);
        awaitStatus(cluster.api(other), during, "complete", Duration.ofSeconds(60));
        String after = cluster.submit(cluster.api(other), batch("after", 2, "1"));
        awaitStatus(cluster.api(other), after, "complete", Duration.ofSeconds(60));
        await("the woken member serves the same state").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> cluster.job(cluster.api(old), after).getString("status").equals("complete"));
        System.out.printf("s%d serves the majority's state %.1f s after waking%n", old, (System.nanoTime() - resumed) / 1e9);

        var h = cluster.history();
        noViolations(h, h.epochsWentBack());
        noViolations(h, h.obeyedUnderOldEpochAfter(newEpoch, newLed));
        noViolations(h, h.completedTwice());
        assertThat(h.of(before)).hasSize(2).allMatch(History.Run::completed);
        assertThat(h.of(during)).hasSize(2).allMatch(r -> r.epoch() >= newEpoch && r.completed());
        passed = true;
    }

    @Test
    @DisplayName("an executor cut off from the scheduler: for less than the TTL nothing is replaced; for longer, its service runs elsewhere and the stale copy is stopped after the heal")
    void executorCutOff() throws Exception {
        up(1, 2);
        String api = cluster.api(1);
        String svc = cluster.submit(api, service("svc"));
        awaitStatus(api, svc, "running", Duration.ofSeconds(60));
        var first = cluster.allocations(api, svc).getJsonObject(0);
        String node = first.getString("nodeId");
        String survivor = node.equals("e1") ? "e2" : "e1";
        var scheduler = List.of(ChaosCluster.schedulerAddress(1));

        cluster.cut(node, scheduler);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> cluster.allocations(api, svc).size() == 1);
        cluster.heal(node);
        await("nothing replaced after a cut shorter than the TTL").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10))
                .until(() -> cluster.allocations(api, svc).size() == 1 && cluster.allocations(api, svc).getJsonObject(0).getString("status").equals("running"));

        cluster.cut(node, scheduler);
        long cut = System.nanoTime();
        await("the service runs on " + survivor + " within the TTL plus 10 s").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    var now = cluster.allocations(api, svc);
                    return now.size() == 2 && now.getJsonObject(1).getString("status").equals("running")
                            && now.getJsonObject(1).getString("nodeId").equals(survivor);
                });
        System.out.printf("%s cut off: its service ran on %s %.1f s later (TTL %s)%n", node, survivor, (System.nanoTime() - cut) / 1e9, NODE_TTL);
        assertThat(cluster.history().of(svc).stream().filter(r -> r.node().equals(node) && r.ended() == null)).as("the stale copy runs on, cut off").hasSize(1);
        cluster.heal(node);
        long healed = System.nanoTime();
        await("the stale copy on " + node + " is stopped after the heal").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> cluster.history().of(svc).stream().filter(r -> r.node().equals(node)).allMatch(r -> r.ended() != null));
        System.out.printf("%s healed: the stale copy stopped %.1f s later%n", node, (System.nanoTime() - healed) / 1e9);
        await("the node is ready again").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> cluster.readyNodes(api).contains(node));
        var h = cluster.history();
        noViolations(h, h.epochsWentBack());
        assertThat(cluster.allocations(api, svc).getJsonObject(1).getString("status")).isEqualTo("running");
        passed = true;
    }

    @Test
    @DisplayName("1,000 submissions from four clients while a scheduler member is killed: every acknowledged job completes once; the rest were refused with an error")
    void submissionsDuringMemberKill() throws Exception {
        up(3, 2);
        int victim = cluster.leader();
        var acknowledged = ConcurrentHashMap.<String>newKeySet();
        var refused = new AtomicInteger();
        var sent = new AtomicInteger();
        var killed = new AtomicBoolean();
        var clients = new ArrayList<Thread>();
        long t0 = System.nanoTime();
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.add(Thread.ofPlatform().name("berth-chaos-client-" + c).start(() -> {
                for (int k = 0; k < 250; k++) {
                    int member = (client + k) % 3 + 1;
                    try {
                        var r = cluster.trySubmit(cluster.api(member), batch("c" + client + "-" + k, 1, "0"));
                        if (r.statusCode() == 201) acknowledged.add(new JsonObject(r.body()).getString("id"));
                        else refused.incrementAndGet();
                    } catch (Exception e) {
                        refused.incrementAndGet();
                    }
                    if (sent.incrementAndGet() == 300 && killed.compareAndSet(false, true)) {
                        try {
                            cluster.kill("s" + victim);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            }));
        }
        for (Thread t : clients) t.join();
        System.out.printf("1000 submissions in %.1f s: %d acknowledged, %d refused (member s%d killed after 300)%n",
                (System.nanoTime() - t0) / 1e9, acknowledged.size(), refused.get(), victim);
        assertThat(acknowledged.size() + refused.get()).isEqualTo(1000);
        int survivor = victim == 1 ? 2 : 1;
        String api = cluster.api(survivor);
        await("every acknowledged job completes").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> {
                    var jobs = new JsonArray(cluster.get(api, "/v1/jobs"));
                    var complete = jobs.stream().map(j -> (JsonObject) j).filter(j -> j.getString("status").equals("complete"))
                            .map(j -> j.getString("id")).collect(java.util.stream.Collectors.toSet());
                    return complete.containsAll(acknowledged);
                });
        System.out.printf("all %d acknowledged jobs complete %.1f s after the first submission%n", acknowledged.size(), (System.nanoTime() - t0) / 1e9);
        var h = cluster.history();
        noViolations(h, h.completedTwice());
        noViolations(h, h.epochsWentBack());
        Set<String> ran = new java.util.HashSet<>();
        h.runs.stream().filter(History.Run::completed).forEach(r -> ran.add(r.job()));
        assertThat(ran).as("every acknowledged job ran on an executor").containsAll(acknowledged);
        passed = true;
    }

    @Test
    @DisplayName("the Kafka broker down (kill -9) for two minutes: every usage event of every node arrives, once after deduplication")
    void kafkaDown() throws Exception {
        cluster = new ChaosCluster(1);
        cluster.startKafka();
        cluster.startScheduler(1, NODE_TTL);
        var usage = java.nio.file.Files.writeString(cluster.dir.resolve("usage.yaml"), "usageInterval: 2s\n");
        for (int i = 1; i <= 2; i++) cluster.startExecutor(i, 1, List.of("--kafka", ChaosCluster.KAFKA, "--config", usage.toString()));
        String api = cluster.api(1);
        await("both nodes ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> cluster.readyNodes(api).size() == 2);
        for (int k = 0; k < 2; k++) cluster.submit(api, service("usage-" + k));
        await("usage reaches the broker from both nodes").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> spool("e1", "acked") >= 5 && spool("e2", "acked") >= 5);

        cluster.kill("k1");
        long down = System.nanoTime();
        // what was in flight settles (two readings a second apart agree); from then on nothing is acknowledged while the broker is away
        long[] previous = {-1};
        await("the acknowledgements settle").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            long now = spool("e1", "acked") + spool("e2", "acked");
            boolean settled = now == previous[0];
            previous[0] = now;
            return settled;
        });
        long acked1 = spool("e1", "acked"), acked2 = spool("e2", "acked");
        long next1 = spool("e1", "next"), next2 = spool("e2", "next");
        await("two minutes without a broker: events wait in the nodes' spools").during(Duration.ofSeconds(117)).atMost(Duration.ofSeconds(125))
                .pollInterval(Duration.ofSeconds(1)).until(() -> spool("e1", "acked") == acked1 && spool("e2", "acked") == acked2);
        long made1 = spool("e1", "next") - next1, made2 = spool("e2", "next") - next2;
        System.out.printf("Kafka down %.0f s: %d and %d events waited on e1 and e2%n", (System.nanoTime() - down) / 1e9, made1, made2);
        assertThat(made1).isGreaterThanOrEqualTo(40);
        assertThat(made2).isGreaterThanOrEqualTo(40);

        cluster.startKafka();
        long back = System.nanoTime();
        await("every waiting event is delivered").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> spool("e1", "acked") == spool("e1", "next") - 1 && spool("e2", "acked") == spool("e2", "next") - 1
                        && spool("e1", "acked") > acked1 + made1 - 1 && spool("e2", "acked") > acked2 + made2 - 1);
        System.out.printf("the broker back: the spools were delivered %.1f s later%n", (System.nanoTime() - back) / 1e9);
        // the acknowledged sequences first, the topic after: events keep coming, so the topic holds at least these
        var acked = java.util.Map.of("e1", spool("e1", "acked"), "e2", spool("e2", "acked"));
        var events = readUsage();
        for (String node : List.of("e1", "e2")) {
            var seen = new java.util.TreeSet<Long>();
            events.stream().filter(e -> e.nodeId().equals(node)).forEach(e -> seen.add(e.sequence()));
            long last = acked.get(node);
            assertThat(seen.first()).as(node).isEqualTo(1);
            assertThat(seen.last()).as(node).isGreaterThanOrEqualTo(last);
            assertThat(seen).as(node + ": every event at least once, no gap after dropping duplicates").hasSize((int) (long) seen.last());
            System.out.printf("%s: %d events in the topic, %d distinct (1..%d)%n", node,
                    events.stream().filter(e -> e.nodeId().equals(node)).count(), seen.size(), seen.last());
        }
        passed = true;
    }

    long spool(String node, String file) throws java.io.IOException {
        return Long.parseLong(java.nio.file.Files.readString(cluster.dir.resolve(node).resolve("usage-spool").resolve(file)).trim());
    }

    /** Every usage event in the topic, from the start. */
    List<dev.berth.model.usage.UsageEvent> readUsage() {
        var p = new java.util.Properties();
        p.put("bootstrap.servers", ChaosCluster.KAFKA);
        p.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        var out = new ArrayList<dev.berth.model.usage.UsageEvent>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p)) {
            var partitions = consumer.partitionsFor(dev.berth.model.usage.UsageEvent.TOPIC, Duration.ofSeconds(10)).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(dev.berth.model.codec.Json.read(r.value(), dev.berth.model.usage.UsageEvent.class)));
            }
        }
        return out;
    }

    @Test
    @DisplayName("5% loss on every link, both ways, for a minute while jobs run: they complete, and no node is declared down (no netem delay: this kernel lacks it)")
    void slowLossyLinks() throws Exception {
        up(3, 2);
        for (String host : List.of("s1", "s2", "s3", "e1", "e2")) cluster.lossy(host, 5);
        var downSeen = ConcurrentHashMap.<String>newKeySet();
        var watching = new AtomicBoolean(true);
        var watcher = Thread.ofPlatform().name("berth-chaos-nodes").daemon(true).start(() -> {
            while (watching.get()) {
                try {
                    new JsonArray(cluster.get(cluster.api(1), "/v1/nodes")).stream().map(n -> (JsonObject) n)
                            .filter(n -> n.getString("status").equals("down")).forEach(n -> downSeen.add(n.getString("id")));
                } catch (Exception slowAnswer) {
                    // a read lost on the lossy link: the next one counts
                }
                java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
            }
        });
        long t0 = System.nanoTime();
        var jobs = new ArrayList<String>();
        for (int k = 0; k < 6; k++) jobs.add(cluster.submitRetryingConnect(cluster.api(k % 3 + 1), batch("lossy-" + k, 3, "2")));
        for (String j : jobs) awaitStatus(cluster.api(1), j, "complete", Duration.ofSeconds(120));
        System.out.printf("6 jobs of 3 over lossy links complete in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        await("a minute of lossy links").during(Duration.ofSeconds(Math.max(1, 60 - (System.nanoTime() - t0) / 1_000_000_000L)))
                .atMost(Duration.ofSeconds(70)).until(downSeen::isEmpty);
        watching.set(false);
        watcher.join();
        for (String host : List.of("s1", "s2", "s3", "e1", "e2")) cluster.lossless(host);
        assertThat(downSeen).as("nodes declared down while the links were slow and lossy").isEmpty();
        var h = cluster.history();
        noViolations(h, h.completedTwice());
        noViolations(h, h.epochsWentBack());
        passed = true;
    }
}
