package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two scheduler members and an executor as separate cluster members (lite) in one JVM. */
class ClusterTest {
    final List<ClusterMember> members = new ArrayList<>();
    final List<Path> extraDirs = new ArrayList<>();
    Path dataDir;

    @AfterEach
    void down() throws Exception {
        for (ClusterMember m : members.reversed()) m.close().await(30, TimeUnit.SECONDS);
        for (Path d : extraDirs) TestDirs.delete(d);
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("a job submitted to either scheduler runs on a separate executor member; a lost service allocation moves to another node")
    void schedulersAndExecutorAsSeparateMembers() throws Exception {
        dataDir = Files.createTempDirectory("berth-cluster-");
        String name = "berth-test-" + UUID.randomUUID();
        int p1 = EndToEndTest.freePort(), p2 = EndToEndTest.freePort(), p3 = EndToEndTest.freePort();
        var all = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2, "127.0.0.1:" + p3);
        var schedulerConfig = SchedulerConfig.defaults().withPort(0).withNodeTtl(Duration.ofSeconds(2));
        int api1 = scheduler(new ClusterSettings(name, "127.0.0.1", p1, all, false), schedulerConfig);
        int api2 = scheduler(new ClusterSettings(name, "127.0.0.1", p2, all, false), schedulerConfig);
        var executor = BerthCluster.start(new ClusterSettings(name, "127.0.0.1", p3, all, true)).await(60, TimeUnit.SECONDS);
        members.add(executor);
        var config = ExecutorConfig.of("remote-node", dataDir).withHeartbeatInterval(Duration.ofMillis(300)).withCgroupParent("berth-cluster-test").withNetwork(TestDirs.network("clus1", 11), false);
        NodeRuntime.images(config).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox");
        executor.vertx().deployVerticle(new ExecutorVerticle(config, NodeRuntime.create(config), Clock.systemUTC())).await(30, TimeUnit.SECONDS);

        var first = new Api("http://127.0.0.1:" + api1);
        var second = new Api("http://127.0.0.1:" + api2);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(second.get("/v1/nodes")).size() == 1);

        String batch = first.submit("{\"name\": \"b\", \"groups\": [{\"count\": 3, \"tasks\": [{\"image\": \"busybox\", \"command\": [\"echo\", \"hi\"]}]}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(second.get("/v1/jobs/" + batch)).getString("status").equals("complete"));
        var allocs = new JsonArray(second.get("/v1/jobs/" + batch + "/allocations"));
        assertThat(allocs.size()).isEqualTo(3);
        assertThat(allocs.stream().map(a -> ((JsonObject) a).getString("nodeId")).distinct().toList()).containsExactly("remote-node");
        String allocId = allocs.getJsonObject(0).getString("id");
        assertThat(first.get("/v1/allocations/" + allocId + "/logs")).isEqualTo("hi\n");

        // A second executor, not eligible yet, so that the service lands on the first.
        var backupDir = Files.createTempDirectory("berth-cluster-b-");
        extraDirs.add(backupDir);
        var backupConfig = ExecutorConfig.of("backup-node", backupDir).withHeartbeatInterval(Duration.ofMillis(300)).withCgroupParent("berth-cluster-test-b").withNetwork(TestDirs.network("clus2", 12), false);
        NodeRuntime.images(backupConfig).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, backupDir.resolve("busybox.tar")), "busybox");
        int p4 = EndToEndTest.freePort();
        var backup = BerthCluster.start(new ClusterSettings(name, "127.0.0.1", p4, all, true)).await(60, TimeUnit.SECONDS);
        members.add(backup);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(first.get("/v1/nodes")).size() == 1);
        backup.vertx().deployVerticle(new ExecutorVerticle(backupConfig, NodeRuntime.create(backupConfig), Clock.systemUTC())).await(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(first.get("/v1/nodes")).size() == 2);
        first.post("/v1/nodes/backup-node/eligibility", "{\"eligible\": false}");

        String service = second.submit("{\"name\": \"s\", \"type\": \"service\", \"groups\": [{\"reschedule\": {\"delay\": \"1s\", \"delayFunction\": \"constant\"},"
                + " \"tasks\": [{\"image\": \"busybox\", \"killTimeout\": \"1s\", \"command\": [\"sleep\", \"300\"]}]}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(first.get("/v1/jobs/" + service)).getString("status").equals("running"));
        assertThat(new JsonArray(first.get("/v1/jobs/" + service + "/allocations")).getJsonObject(0).getString("nodeId")).isEqualTo("remote-node");
        first.post("/v1/nodes/backup-node/eligibility", "{\"eligible\": true}");

        // The first executor's member leaves abruptly (its Hazelcast terminated, then its Vert.x closed, which
        // still lets the verticle say "shut down" over the event bus). Its node is marked down after the TTL,
        // the allocation lost, and the service placed again on the other node.
        executor.hazelcast().getLifecycleService().terminate();
        executor.vertx().close();
        members.remove(executor);
        await().atMost(Duration.ofSeconds(15)).until(() -> new JsonObject(first.get("/v1/nodes/remote-node")).getString("status").equals("down"));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var now = new JsonArray(second.get("/v1/jobs/" + service + "/allocations"));
            return now.size() == 2 && now.getJsonObject(1).getString("status").equals("running");
        });
        var moved = new JsonArray(first.get("/v1/jobs/" + service + "/allocations"));
        assertThat(moved.getJsonObject(0).getString("status")).isEqualTo("lost");
        assertThat(moved.getJsonObject(0).getString("reason")).isIn("node remote-node shut down", "node remote-node stopped heartbeating");
        assertThat(moved.getJsonObject(1).getString("nodeId")).isEqualTo("backup-node");
        assertThat(moved.getJsonObject(1).getString("previous")).isEqualTo(moved.getJsonObject(0).getString("id"));
        assertThat(new JsonObject(first.get("/v1/jobs/" + service)).getString("status")).isEqualTo("running");
        new dev.berth.cli.client.ApiClient("http://127.0.0.1:" + api1).delete("/v1/jobs/" + service);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(first.get("/v1/jobs/" + service)).getString("status").equals("stopped"));
        // What the crashed executor left running is found and removed, as its restart would.
        var restarted = NodeRuntime.create(config);
        restarted.recover();
        restarted.close();
    }

    int scheduler(ClusterSettings settings, SchedulerConfig config) throws Exception {
        var member = BerthCluster.start(settings).await(60, TimeUnit.SECONDS);
        members.add(member);
        var verticle = new SchedulerVerticle(config, member.hazelcast(), Clock.systemUTC());
        member.vertx().deployVerticle(verticle).await(60, TimeUnit.SECONDS);
        return verticle.port();
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
