package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.client.ApiClient;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import io.vertx.core.Vertx;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.model.bus.Addresses;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Three scheduler members forming the CP group, and an executor: one leader places; killing it moves placement. */
class LeaderTest {
    final List<ClusterMember> members = new ArrayList<>();
    Vertx executor;
    Path dataDir;

    @AfterEach
    void down() throws Exception {
        // The executor first and gracefully (it stops its containers); then the schedulers at once: a CP
        // member leaving gracefully waits for a majority that the killed leader no longer gives.
        if (executor != null) executor.close().await(60, TimeUnit.SECONDS);
        for (ClusterMember m : members.reversed()) {
            try {
                m.hazelcast().getLifecycleService().terminate();
                m.vertx().close().await(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already terminated by the test
            }
        }
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("killing the leader moves placement to another member within 15 s, no job is lost, and a full restart keeps every job")
    void leaderFailover() throws Exception {
        dataDir = Files.createTempDirectory("berth-leader-");
        String name = "berth-leader-" + UUID.randomUUID();
        int[] ports = {EndToEndTest.freePort(), EndToEndTest.freePort(), EndToEndTest.freePort()};
        int[] executorPorts = {EndToEndTest.freePort(), EndToEndTest.freePort(), EndToEndTest.freePort()};
        var apis = new LinkedHashMap<ClusterMember, ApiClient>();
        long t0 = System.nanoTime();
        startSchedulers(name, ports, executorPorts, apis);
        var execConfig = ExecutorConfig.of("leader-test-node", dataDir).with("cgroupParent", "berth-leader-test", "heartbeatInterval", "300ms",
                "schedulers", java.util.Arrays.stream(executorPorts).mapToObj(p -> "127.0.0.1:" + p).toList()).with(TestDirs.network("lead", 13));
        NodeRuntime.images(execConfig).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox");
        executor = startExecutor(execConfig);

        ClusterMember leader = await().atMost(Duration.ofSeconds(60)).until(() -> leaderOf(apis), m -> m != null);
        System.out.printf("cluster up and a leader elected in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long firstEpoch = new JsonObject(apis.get(leader).get("/health")).getLong("epoch");
        for (ApiClient api : apis.values()) {
            var named = new JsonObject(api.get("/health")).getJsonObject("leader");
            assertThat(named.getLong("epoch")).as("every member names the leader").isEqualTo(firstEpoch);
            assertThat(named.getString("api")).startsWith("http://127.0.0.1:");
        }
        var follower = apis.entrySet().stream().filter(e -> e.getKey() != leader).findFirst().orElseThrow().getValue();
        String before = submit(follower, "before");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(follower.get("/v1/jobs/" + before)).getString("status").equals("complete"));

        // The leader dies without a goodbye.
        leader.hazelcast().getLifecycleService().terminate();
        leader.vertx().close();
        members.remove(leader);
        apis.remove(leader);
        long killedAt = System.nanoTime();
        String after = submit(follower, "after");
        await().atMost(Duration.ofSeconds(15)).until(() -> new JsonObject(follower.get("/v1/jobs/" + after)).getString("status").equals("complete"));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("placement moved to a new leader and the job completed %.1f s after the leader was killed%n", seconds);
        ClusterMember newLeader = leaderOf(apis);
        assertThat(newLeader).isNotNull();
        long newEpoch = new JsonObject(apis.get(newLeader).get("/health")).getLong("epoch");
        assertThat(newEpoch).isGreaterThan(firstEpoch);
        for (ApiClient api : apis.values()) {
            assertThat(new JsonArray(api.get("/v1/jobs")).stream().map(j -> ((JsonObject) j).getString("id"))).contains(before, after);
        }

        // A command from the old leader's epoch is refused by the executor.
        var stale = new JsonObject().put("allocation", new JsonObject().put("id", "stale00000001").put("jobId", "x").put("group", "g")
                        .put("index", 0).put("task", "t").put("status", "pending").put("version", 0).put("resources", new JsonObject()
                                .put("cpu", "100m").put("memory", "64Mi").put("pids", 16).put("extended", new JsonObject())
                                .put("io", new JsonObject().put("readBps", "0").put("writeBps", "0").put("readIops", 0).put("writeIops", 0))))
                .put("task", new JsonObject(dev.berth.model.codec.Json.write(dev.berth.model.spec.TaskSpec.basic("t", "busybox", List.of("true"),
                        dev.berth.model.spec.Resources.NONE)))).put("epoch", firstEpoch);
        ClusterMember sender = apis.keySet().iterator().next();
        assertThat(refusal(sender, stale)).hasMessageContaining("stale leader epoch " + firstEpoch);
        // ... also by the next run of the executor: the epoch it has seen is kept on disk
        executor.close().await(60, TimeUnit.SECONDS);
        executor = startExecutor(execConfig);
        await().atMost(Duration.ofSeconds(20)).until(() -> apis.values().stream().mapToInt(a -> {
            try {
                return new JsonObject(a.get("/health")).getInteger("executors");
            } catch (Exception e) {
                return 0;
            }
        }).sum() == 1);
        assertThat(refusal(sender, stale)).hasMessageContaining("stale leader epoch " + firstEpoch);

        // A full restart: every member goes (the executor cleanly, the schedulers at once), all come back.
        executor.close().await(60, TimeUnit.SECONDS);
        executor = null;
        for (ClusterMember m : apis.keySet()) {
            m.hazelcast().getLifecycleService().terminate();
            m.vertx().close().await(30, TimeUnit.SECONDS);
            members.remove(m);
        }
        apis.clear();
        startSchedulers(name, ports, executorPorts, apis);
        for (ApiClient api : apis.values()) {
            var jobs = new JsonArray(api.get("/v1/jobs")).stream().map(j -> ((JsonObject) j).getString("id")).toList();
            assertThat(jobs).contains(before, after);
            assertThat(new JsonObject(api.get("/v1/jobs/" + after)).getString("status")).isEqualTo("complete");
        }
    }

    /** Three scheduler members, each journaling under its own data dir, started together (CP needs all three). */
    void startSchedulers(String name, int[] ports, int[] executorPorts, Map<ClusterMember, ApiClient> apis) throws Exception {
        var configs = new ArrayList<SchedulerConfig>();
        var starts = new ArrayList<java.util.concurrent.CompletableFuture<ClusterMember>>();
        for (int i = 0; i < 3; i++) {
            int self = i;
            var join = java.util.stream.IntStream.range(0, 3).filter(j -> j != self).mapToObj(j -> "127.0.0.1:" + ports[j]).toList();
            var config = SchedulerConfig.defaults().with("port", 0, "clusterPort", ports[i], "busPort", 0, "executorPort", executorPorts[i],
                    "join", join, "nodeTtl", "3s", "dataDir", dataDir.resolve("scheduler-" + i), "clusterName", name);
            assertThat(config.effectiveCpMembers()).as("three members configured: a CP group of three").isEqualTo(3);
            configs.add(config);
            starts.add(BerthCluster.start(config.cluster()).toCompletionStage().toCompletableFuture());
        }
        for (int i = 0; i < 3; i++) {
            ClusterMember m = starts.get(i).get(90, TimeUnit.SECONDS);
            members.add(m);
            var v = new SchedulerVerticle(configs.get(i), m.hazelcast(), Clock.systemUTC());
            m.vertx().deployVerticle(v).await(60, TimeUnit.SECONDS);
            apis.put(m, new ApiClient("http://127.0.0.1:" + v.port()));
        }
    }

    static Vertx startExecutor(ExecutorConfig config) throws Exception {
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(new ExecutorVerticle(config, NodeRuntime.create(config), Clock.systemUTC())).await(30, TimeUnit.SECONDS);
        return vertx;
    }

    /** What the node answers to a run command sent from a scheduler member (through the bridge). */
    static Throwable refusal(ClusterMember from, JsonObject command) {
        var reply = from.vertx().eventBus().request(Addresses.nodeRun("leader-test-node"), command).toCompletionStage().toCompletableFuture();
        return org.assertj.core.api.Assertions.catchThrowable(() -> reply.get(10, TimeUnit.SECONDS));
    }

    static String submit(ApiClient api, String name) throws Exception {
        return new JsonObject(api.post("/v1/jobs", "{\"name\": \"" + name + "\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"command\": [\"true\"]}]}]}",
                "application/json")).getString("id");
    }

    static ClusterMember leaderOf(Map<ClusterMember, ApiClient> apis) {
        for (var e : apis.entrySet()) {
            try {
                if (new JsonObject(e.getValue().get("/health")).getBoolean("leading")) return e.getKey();
            } catch (Exception ignored) {
                // that member is not answering
            }
        }
        return null;
    }
}
