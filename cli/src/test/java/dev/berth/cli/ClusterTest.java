package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.transport.BridgeLink;
import dev.berth.model.bus.Addresses;
import dev.berth.model.config.HostPort;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two scheduler members and executors that reach them over the TCP event-bus bridge, in one JVM. */
class ClusterTest {
    final List<ClusterMember> members = new ArrayList<>();
    final List<Vertx> executors = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();
    final String name = "berth-test-" + UUID.randomUUID();
    int[] clusterPorts;
    int[] executorPorts;

    @org.junit.jupiter.api.BeforeEach
    void ports() throws Exception {
        clusterPorts = new int[] {EndToEndTest.freePort(), EndToEndTest.freePort()};
        executorPorts = new int[] {EndToEndTest.freePort(), EndToEndTest.freePort()};
    }

    @AfterEach
    void down() throws Exception {
        for (Vertx v : executors) v.close().await(60, TimeUnit.SECONDS);
        for (ClusterMember m : members.reversed()) m.close().await(30, TimeUnit.SECONDS);
        for (Path d : dirs) TestDirs.delete(d);
    }

    @Test
    @DisplayName("a job submitted to either scheduler runs on an executor connected over the bridge; a lost service allocation moves to another node")
    void schedulersAndBridgedExecutors() throws Exception {
        var first = new Api("http://127.0.0.1:" + scheduler(0));
        var second = new Api("http://127.0.0.1:" + scheduler(1));
        var config = executorConfig("remote-node", "berth-cluster-test", 11);
        Vertx executor = executor(config);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(second.get("/v1/nodes")).size() == 1);
        assertThat(new JsonArray(second.get("/v1/nodes")).getJsonObject(0).getString("address")).isEqualTo("127.0.0.1");
        // an image streamed to the node over the bridge (two chunks), then listed from the other member
        var upload = EndToEndTest.cli("image", "busybox", "--name", "bridged:1", "--address", first.base(), "--node", "remote-node");
        assertThat(upload.out()).as(upload.err()).contains("Imported bridged:1 from /bin/busybox into node remote-node");
        assertThat(EndToEndTest.cli("image", "list", "--address", second.base()).out()).contains("remote-node", "bridged:1");

        String batch = first.submit("{\"name\": \"b\", \"groups\": [{\"count\": 3, \"tasks\": [{\"image\": \"busybox\", \"command\": [\"echo\", \"hi\"]}]}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(second.get("/v1/jobs/" + batch)).getString("status").equals("complete"));
        var allocs = new JsonArray(second.get("/v1/jobs/" + batch + "/allocations"));
        assertThat(allocs.size()).isEqualTo(3);
        assertThat(allocs.stream().map(a -> ((JsonObject) a).getString("nodeId")).distinct().toList()).containsExactly("remote-node");
        String allocId = allocs.getJsonObject(0).getString("id");
        assertThat(first.get("/v1/allocations/" + allocId + "/logs")).isEqualTo("hi\n");
        assertThat(second.get("/v1/allocations/" + allocId + "/logs")).isEqualTo("hi\n");

        // A second executor, not eligible yet, so that the service lands on the first.
        executor(executorConfig("backup-node", "berth-cluster-test-b", 12));
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(first.get("/v1/nodes")).size() == 2);
        first.post("/v1/nodes/backup-node/eligibility", "{\"eligible\": false}");
        String service = second.submit("{\"name\": \"s\", \"type\": \"service\", \"groups\": [{\"reschedule\": {\"delay\": \"1s\", \"delayFunction\": \"constant\"},"
                + " \"tasks\": [{\"image\": \"busybox\", \"killTimeout\": \"1s\", \"command\": [\"sleep\", \"300\"]}]}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(first.get("/v1/jobs/" + service)).getString("status").equals("running"));
        assertThat(new JsonArray(first.get("/v1/jobs/" + service + "/allocations")).getJsonObject(0).getString("nodeId")).isEqualTo("remote-node");
        first.post("/v1/nodes/backup-node/eligibility", "{\"eligible\": true}");

        // The first executor stops: its task is reported lost and the service placed again on the other node.
        executor.close().await(60, TimeUnit.SECONDS);
        executors.remove(executor);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var now = new JsonArray(second.get("/v1/jobs/" + service + "/allocations"));
            return now.size() == 2 && now.getJsonObject(1).getString("status").equals("running");
        });
        var moved = new JsonArray(first.get("/v1/jobs/" + service + "/allocations"));
        assertThat(moved.getJsonObject(0).getString("status")).isEqualTo("lost");
        assertThat(moved.getJsonObject(0).getString("reason")).isIn("node remote-node shut down", "node remote-node stopped heartbeating");
        assertThat(moved.getJsonObject(1).getString("nodeId")).isEqualTo("backup-node");
        assertThat(moved.getJsonObject(1).getString("previous")).isEqualTo(moved.getJsonObject(0).getString("id"));
        await().atMost(Duration.ofSeconds(15)).until(() -> new JsonObject(first.get("/v1/nodes/remote-node")).getString("status").equals("down"));
        new dev.berth.cli.client.ApiClient(first.base()).delete("/v1/jobs/" + service);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(first.get("/v1/jobs/" + service)).getString("status").equals("stopped"));
    }

    @Test
    @DisplayName("an executor whose scheduler member (the leader) dies connects to the other within 5 s and keeps taking work")
    void executorFailsOverToAnotherMember() throws Exception {
        var apis = List.of(new Api("http://127.0.0.1:" + scheduler(0)), new Api("http://127.0.0.1:" + scheduler(1)));
        // the worst case: the member that dies is the leader and the one the executor speaks to (it lists it first)
        int leader = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> new JsonObject(apis.get(0).get("/health")).getBoolean("leading") ? 0
                        : new JsonObject(apis.get(1).get("/health")).getBoolean("leading") ? 1 : -1, i -> i >= 0);
        executor(executorConfig("failover-node", "berth-failover-test", 17).with("schedulers",
                List.of("127.0.0.1:" + executorPorts[leader], "127.0.0.1:" + executorPorts[1 - leader])));
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(apis.get(leader).get("/health")).getInteger("executors") == 1);
        var second = apis.get(1 - leader);

        ClusterMember dying = members.remove(leader);
        dying.hazelcast().getLifecycleService().terminate();
        dying.vertx().close();
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(second.get("/health")).getInteger("executors") == 1);
        System.out.printf("executor reconnected to the other member %.2f s after its member died%n", (System.nanoTime() - killed) / 1e9);
        String job = second.submit("{\"name\": \"after\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"command\": [\"echo\", \"still here\"]}]}]}");
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonObject(second.get("/v1/jobs/" + job)).getString("status").equals("complete"));
    }

    @Test
    @DisplayName("a bridge connection acts as one node: it cannot heartbeat as another, nor listen on another's addresses")
    void aConnectionCannotImpersonateAnotherNode() throws Exception {
        var api = new Api("http://127.0.0.1:" + scheduler(0));
        Vertx vertx = Vertx.vertx();
        executors.add(vertx);
        var context = vertx.getOrCreateContext(); // the link lives on one event loop, as in the executor
        var received = new java.util.concurrent.atomic.AtomicInteger();
        var made = new java.util.concurrent.CompletableFuture<BridgeLink>();
        context.runOnContext(v -> {
            var link = new BridgeLink(vertx, List.of(new HostPort("127.0.0.1", executorPorts[0])));
            link.handle(Addresses.nodeStop("honest"), m -> received.incrementAndGet());
            made.complete(link);
        });
        BridgeLink link = made.get(10, TimeUnit.SECONDS);
        link.connected().await(10, TimeUnit.SECONDS);
        context.runOnContext(v -> {
            link.handle(Addresses.nodeStop("victim"), m -> received.incrementAndGet());
            link.send(Addresses.HEARTBEATS, heartbeat("victim"));
            link.send(Addresses.HEARTBEATS, heartbeat("honest"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> new JsonArray(api.get("/v1/nodes")).size() == 1);
        assertThat(new JsonArray(api.get("/v1/nodes")).getJsonObject(0).getString("id")).isEqualTo("honest");
        // a stop for the victim does not reach this connection; one for the honest node does
        members.getFirst().vertx().eventBus().send(Addresses.nodeStop("victim"), new JsonObject().put("allocationId", "x"));
        members.getFirst().vertx().eventBus().send(Addresses.nodeStop("honest"), new JsonObject().put("allocationId", "x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() == 1);
        // an address outside the permitted ones is refused
        var answered = new java.util.concurrent.CompletableFuture<Boolean>();
        context.runOnContext(v -> link.request("berth.jobs.anything", new JsonObject().put("nodeId", "honest"), 2000)
                .onComplete(r -> answered.complete(r.succeeded())));
        assertThat(answered.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(received.get()).isEqualTo(1);
    }

    static JsonObject heartbeat(String node) {
        return new JsonObject().put("nodeId", node).put("address", "127.0.0.1").put("capacity", new JsonObject()
                        .put("cpu", "1").put("memory", "1Gi").put("pids", 100).put("extended", new JsonObject())
                        .put("io", new JsonObject().put("readBps", "0").put("writeBps", "0").put("readIops", 0).put("writeIops", 0)))
                .put("labels", new JsonObject()).put("attributes", new JsonObject()).put("runningAllocations", new JsonArray()).put("sequence", 1);
    }

    /** Member {@code i} of two, listening for executors on its own port; returns its API port. */
    int scheduler(int i) throws Exception {
        var config = SchedulerConfig.defaults().with("port", 0, "clusterPort", clusterPorts[i], "busPort", 0, "executorPort", executorPorts[i],
                "join", List.of("127.0.0.1:" + clusterPorts[1 - i]), "nodeTtl", "2s", "clusterName", name);
        var member = BerthCluster.start(config.cluster()).await(60, TimeUnit.SECONDS);
        members.add(member);
        var verticle = new SchedulerVerticle(config, member.hazelcast(), Clock.systemUTC());
        member.vertx().deployVerticle(verticle).await(60, TimeUnit.SECONDS);
        return verticle.port();
    }

    ExecutorConfig executorConfig(String node, String cgroupParent, int net) throws Exception {
        Path dir = Files.createTempDirectory("berth-cluster-" + node + "-");
        dirs.add(dir);
        var config = ExecutorConfig.of(node, dir).with("heartbeatInterval", "300ms", "cgroupParent", cgroupParent,
                "schedulers", List.of("127.0.0.1:" + executorPorts[0], "127.0.0.1:" + executorPorts[1])).with(TestDirs.network(node.substring(0, 4) + net, net));
        NodeRuntime.images(config).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dir.resolve("busybox.tar")), "busybox");
        return config;
    }

    /** An executor as {@code berth executor} runs it: its own, unclustered Vert.x. */
    Vertx executor(ExecutorConfig config) throws Exception {
        Vertx vertx = Vertx.vertx();
        executors.add(vertx);
        vertx.deployVerticle(new ExecutorVerticle(config, NodeRuntime.create(config), Clock.systemUTC())).await(30, TimeUnit.SECONDS);
        return vertx;
    }

    record Api(String base) {
        String get(String path) throws Exception {
            return new dev.berth.cli.client.ApiClient(base).get(path);
        }

        String post(String path, String json) throws Exception {
            return new dev.berth.cli.client.ApiClient(base).post(path, json, "application/json");
        }

        String submit(String json) throws Exception {
            return new JsonObject(new dev.berth.cli.client.ApiClient(base).post("/v1/jobs", json, "application/json")).getString("id");
        }
    }
}
