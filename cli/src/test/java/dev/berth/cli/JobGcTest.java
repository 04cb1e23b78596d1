package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Finished work does not pile up: jobs past jobGcAfter go with their allocations, evaluations, logs and journal records. */
class JobGcTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    Path dataDir;
    AllInOne berth;
    String api;

    @AfterEach
    void down() throws Exception {
        if (berth != null) berth.close();
        TestDirs.delete(dataDir);
    }

    AllInOne start(ExecutorConfig executor, int clusterPort) throws Exception {
        var b = AllInOne.start(ClusterSettings.single("berth-gc-" + clusterPort, clusterPort),
                SchedulerConfig.defaults().with("port", 0, "jobGcAfter", "3s", "dataDir", dataDir.resolve("scheduler-data")), executor, NodeRuntime.create(executor));
        api = "http://127.0.0.1:" + b.apiPort();
        return b;
    }

    @Test
    @DisplayName("three rounds of 40 short jobs: each round is removed 3 s after it ends, on the node too, and a restart brings none back")
    void stateStaysBounded() throws Exception {
        dataDir = Files.createTempDirectory("berth-gc-");
        var executor = ExecutorConfig.of("gc-node", dataDir).with("cgroupParent", "berth-gc-test").with(TestDirs.network("gc", 19));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort = EndToEndTest.freePort();
        berth = start(executor, clusterPort);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(get("/v1/nodes")).size() == 1);
        Path allocs = dataDir.resolve("allocs");
        var journalSizes = new ArrayList<Long>();
        for (int round = 0; round < 3; round++) {
            var ids = new ArrayList<String>();
            for (int i = 0; i < 40; i++) {
                var res = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"name": "short", "groups": [{"tasks": [{"image": "busybox", "command": ["echo", "done"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
                ids.add(new JsonObject(res.body()).getString("id"));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> new JsonArray(get("/v1/jobs")).stream()
                    .map(j -> ((JsonObject) j).getString("status")).allMatch("complete"::equals));
            assertThat(new JsonArray(get("/v1/allocations?status=complete")).size()).isGreaterThanOrEqualTo(40);
            // 3 s after the last one ended, and the next sweep (every 5 s): all gone
            await().atMost(Duration.ofSeconds(30)).until(() -> new JsonArray(get("/v1/jobs")).isEmpty());
            assertThat(new JsonArray(get("/v1/allocations"))).isEmpty();
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + ids.getFirst())).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (var left = Files.list(allocs)) {
                    return left.findAny().isEmpty();
                }
            });
            journalSizes.add(journalBytes());
        }
        System.out.printf("journal and snapshot after each round of 40 jobs: %s bytes%n", journalSizes);

        // A full stop and start: the journal brings back none of what was removed, and compacts to almost nothing.
        berth.close();
        berth = start(executor, clusterPort);
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(get("/v1/nodes")).size() == 1);
        assertThat(new JsonArray(get("/v1/jobs"))).as("no removed job comes back from the journal").isEmpty();
        assertThat(new JsonArray(get("/v1/allocations"))).isEmpty();
        long compacted = journalBytes();
        System.out.printf("after a restart (compacted): %d bytes%n", compacted);
        assertThat(compacted).as("the compacted journal holds nothing of 120 removed jobs").isLessThan(4096);
    }

    long journalBytes() throws Exception {
        try (var files = Files.walk(dataDir.resolve("scheduler-data"))) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".jsonl") && !p.getFileName().toString().startsWith("audit"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
