package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.client.ApiClient;
import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.scheduler.SchedulerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** `berth up` stopped and started again on the same data dir keeps its jobs and allocation records. */
class RestartTest {
    Path dataDir;
    AllInOne berth;

    @AfterEach
    void down() throws Exception {
        if (berth != null) berth.close();
        TestDirs.delete(dataDir);
    }

    AllInOne start() throws Exception {
        int clusterPort = EndToEndTest.freePort();
        var executor = ExecutorConfig.of("restart-node", dataDir).with("cgroupParent", "berth-restart-test").with(TestDirs.network("rest", 14));
        return AllInOne.start(ClusterSettings.single("berth-restart-" + clusterPort, clusterPort),
                SchedulerConfig.defaults().with("port", 0, "dataDir", dataDir), executor, NodeRuntime.create(executor));
    }

    @Test
    @DisplayName("a full restart keeps every job and allocation; the service that was running runs again")
    void fullRestartKeepsJobs() throws Exception {
        dataDir = Files.createTempDirectory("berth-restart-");
        var images = NodeRuntime.images(ExecutorConfig.of("restart-node", dataDir));
        images.importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox");
        berth = start();
        var api = new ApiClient("http://127.0.0.1:" + berth.apiPort());
        String batch = new JsonObject(api.post("/v1/jobs", "{\"name\": \"done\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"command\": [\"echo\", \"kept\"]}]}]}", "application/json")).getString("id");
        String service = new JsonObject(api.post("/v1/jobs", "{\"name\": \"svc\", \"type\": \"service\", \"groups\": [{\"reschedule\": {\"delay\": \"1s\", \"delayFunction\": \"constant\"},"
                + " \"tasks\": [{\"image\": \"busybox\", \"killTimeout\": \"1s\", \"command\": [\"sleep\", \"300\"]}]}]}", "application/json")).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(api.get("/v1/jobs/" + batch)).getString("status").equals("complete")
                && new JsonObject(api.get("/v1/jobs/" + service)).getString("status").equals("running"));
        String batchAlloc = new JsonArray(api.get("/v1/jobs/" + batch + "/allocations")).getJsonObject(0).getString("id");

        berth.close();
        berth = start();
        var again = new ApiClient("http://127.0.0.1:" + berth.apiPort());
        var jobs = new JsonArray(again.get("/v1/jobs"));
        assertThat(jobs.stream().map(j -> ((JsonObject) j).getString("id"))).containsExactlyInAnyOrder(batch, service);
        assertThat(new JsonObject(again.get("/v1/jobs/" + batch)).getString("status")).isEqualTo("complete");
        assertThat(new JsonObject(again.get("/v1/allocations/" + batchAlloc)).getInteger("exitCode")).isZero();
        assertThat(again.get("/v1/allocations/" + batchAlloc + "/logs")).isEqualTo("kept\n");
        // the service's container ended with the old process: it is lost, then placed again
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            var allocs = new JsonArray(again.get("/v1/jobs/" + service + "/allocations"));
            return allocs.size() == 2 && allocs.getJsonObject(1).getString("status").equals("running");
        });
        assertThat(new JsonObject(again.get("/v1/jobs/" + service)).getString("status")).isEqualTo("running");
    }
}
