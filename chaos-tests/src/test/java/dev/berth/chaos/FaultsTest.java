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
