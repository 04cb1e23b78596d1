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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sharing one node between teams on the real runtime: fair share by queue weight, a queue held at
 * its quota, and preemption by priority. The node's cpu is cut into 12 slots, whatever it has.
 */
class SharingTest {
    static Path dataDir;
    static AllInOne berth;
    static TestApi api;
    static String nodeId = "share-node";
    static long slotMillis;

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-share-");
        var executor = ExecutorConfig.of(nodeId, dataDir).with("cgroupParent", "berth-share-test").with(TestDirs.network("share", 20));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort = EndToEndTest.freePort();
        berth = AllInOne.start(ClusterSettings.single("berth-share-" + clusterPort, clusterPort), SchedulerConfig.defaults().with("port", 0),
                executor, NodeRuntime.create(executor));
        api = new TestApi("http://127.0.0.1:" + berth.apiPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(api.get("/v1/nodes").body()).size() == 1);
        var node = new JsonArray(api.get("/v1/nodes").body()).getJsonObject(0);
        slotMillis = dev.berth.model.units.Cpu.parse(node.getJsonObject("capacity").getString("cpu")).millicores() / 12;
    }

    @AfterAll
    static void down() throws Exception {
        if (berth != null) berth.close();
        TestDirs.delete(dataDir);
    }

    /** Every test leaves the node empty for the next. */
    @AfterEach
    void stopAll() throws Exception {
        var jobs = new JsonArray(api.get("/v1/jobs").body());
        for (int i = 0; i < jobs.size(); i++) api.delete("/v1/jobs/" + jobs.getJsonObject(i).getString("id"));
        await().atMost(Duration.ofSeconds(30)).until(() -> new JsonArray(api.get("/v1/nodes/" + nodeId + "/allocations").body()).isEmpty());
        eligible(true);
    }

    @Test
    @DisplayName("two queues of weight 2 and 1, both with more work than fits, share the node's cpu about 2:1 while both wait")
    void fairShare() throws Exception {
        assertThat(api.put("/v1/queues/team-a", "{\"weight\": 2}").statusCode()).isEqualTo(200);
        assertThat(api.put("/v1/queues/team-b", "{\"weight\": 1}").statusCode()).isEqualTo(200);
        // both queues' work is there before the first pass that can place any of it
        eligible(false);
        String a = api.submit(batch("share-a", "team-a", 40, slotMillis, 2, 50));
        String b = api.submit(batch("share-b", "team-b", 20, slotMillis, 2, 50));
        var queue = new JsonObject(api.get("/v1/queues/team-a").body());
        assertThat(queue.getJsonArray("waitingWork")).hasSize(1);
        assertThat(queue.getJsonArray("waitingWork").getJsonObject(0).getString("waits")).contains("node not eligible");
        eligible(true);
        api.awaitStatus(a, "complete", 90);
        api.awaitStatus(b, "complete", 90);

        var runsA = api.allocations(a);
        var runsB = api.allocations(b);
        Instant from = earliest(runsA, runsB);
        // after the last start of either, that queue has nothing left waiting
        Instant to = min(latestStart(runsA), latestStart(runsB));
        double cpuA = cpuSeconds(runsA, from, to), cpuB = cpuSeconds(runsB, from, to);
        double ratio = cpuA / cpuB;
        System.out.printf("fair share: team-a %.1f cpu-s, team-b %.1f cpu-s over %.1f s while both waited: ratio %.2f (weights 2:1)%n",
                cpuA, cpuB, Duration.between(from, to).toMillis() / 1000.0, ratio);
        assertThat(Duration.between(from, to)).isGreaterThan(Duration.ofSeconds(4));
        assertThat(ratio).isBetween(1.6, 2.4);

        // the same case in `berth sim` over time: the live run within 10% of the simulated policy
        var node = new JsonArray(api.get("/v1/nodes").body()).getJsonObject(0);
        var capacity = dev.berth.model.spec.Resources.of(dev.berth.model.units.Cpu.parse(node.getJsonObject("capacity").getString("cpu")),
                dev.berth.model.units.ByteSize.parse(node.getJsonObject("capacity").getString("memory")));
        var simJobs = List.of(simJob(batch("share-a", "team-a", 40, slotMillis, 2, 50)), simJob(batch("share-b", "team-b", 20, slotMillis, 2, 50)));
        var queues = java.util.Map.of("team-a", new dev.berth.model.spec.QueueSpec("team-a", 2, null, false, null),
                "team-b", new dev.berth.model.spec.QueueSpec("team-b", 1, null, false, null));
        var sim = dev.berth.scheduler.placement.TimedSimulation.run(List.of(dev.berth.scheduler.placement.Candidate.empty(nodeId, capacity, java.util.Map.of())),
                queues, simJobs, dev.berth.scheduler.placement.TimedSimulation.Settings.defaults());
        double simRatio = sim.queues().get("team-a").contendedCpuSeconds() / sim.queues().get("team-b").contendedCpuSeconds();
        System.out.printf("fair share: live ratio %.3f, simulated %.3f: %.1f%% apart%n", ratio, simRatio, Math.abs(ratio - simRatio) / simRatio * 100);
        assertThat(Math.abs(ratio - simRatio) / simRatio).isLessThan(0.10);
    }

    @Test
    @DisplayName("a queue at its quota waits, and says so, while another queue's work runs")
    void quota() throws Exception {
        assertThat(api.put("/v1/queues/capped", "{\"quota\": {\"cpu\": \"" + 2 * slotMillis + "m\"}}").statusCode()).isEqualTo(200);
        assertThat(api.put("/v1/queues/open", "{}").statusCode()).isEqualTo(200);
        String capped = api.submit(batch("capped-work", "capped", 4, slotMillis, 30, 50));
        String open = api.submit(batch("open-work", "open", 4, slotMillis, 30, 50));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.count(open, "running") == 4 && api.count(capped, "running") == 2);
        var waiting = api.allocations(capped).stream().filter(x -> x.getString("status").equals("pending")).toList();
        assertThat(waiting).hasSize(2).allSatisfy(x -> assertThat(x.getString("reason"))
                .isEqualTo("waiting: queue capped is at its quota (cpu " + 2 * slotMillis + "m of " + 2 * slotMillis + "m held)"));
        // and it stays so: the quota holds across passes
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> api.count(capped, "running") == 2);

        var status = api.cli("queue", "status", "capped");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Quota      cpu " + 2 * slotMillis + "m").contains("capped-work").contains("is at its quota");
        var list = api.cli("queue", "list");
        assertThat(list.out()).contains("capped").contains("open").contains("default");
    }

    @Test
    @DisplayName("a high-priority batch job preempts a low-priority service that fills the node; the victims end preempted and run again after")
    void preemption() throws Exception {
        String service = api.submit("""
                {"name": "filler", "type": "service", "priority": 20, "groups": [{"count": 12, "tasks": [{"image": "busybox",
                 "command": ["sleep", "3600"], "killTimeout": "1s", "resources": {"cpu": "%dm", "memory": "8Mi"}}]}]}""".formatted(slotMillis));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.count(service, "running") == 12);
        String urgent = """
                {"name": "urgent", "priority": 80, "groups": [{"tasks": [{"image": "busybox", "command": ["sleep", "3"],
                 "resources": {"cpu": "%dm", "memory": "8Mi"}}]}]}""".formatted(3 * slotMillis);
        Path file = dataDir.resolve("urgent.json");
        Files.writeString(file, urgent);
        var plan = api.cli("job", "plan", file.toString());
        assertThat(plan.out()).contains("1 task(s) would be placed").contains("would preempt 3 allocation(s)").contains("priority 20 is at least 10 below 80");

        String id = api.submit(urgent);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.count(service, "preempted") == 3);
        var victims = api.allocations(service).stream().filter(x -> x.getString("status").equals("preempted")).toList();
        assertThat(victims).allSatisfy(v -> {
            assertThat(v.getString("reason")).isEqualTo("preempted by job " + id + " to make room for its work");
            assertThat(v.getString("replacedBy")).isNotNull();
        });
        api.awaitStatus(id, "complete", 30);
        // the replacements run again once the room is back; their attempt count is that of the instance they replace
        await().atMost(Duration.ofSeconds(30)).until(() -> api.count(service, "running") == 12);
        for (var v : victims) {
            var next = new JsonObject(api.get("/v1/allocations/" + v.getString("replacedBy")).body());
            assertThat(next.getString("previous")).isEqualTo(v.getString("id"));
            assertThat(next.getInteger("attempt", 0)).isEqualTo(v.getInteger("attempt", 0));
        }
        // 9 lower-priority ones could not preempt anything back
        assertThat(api.count(id, "complete")).isEqualTo(1);
    }

    @Test
    @DisplayName("bad input names its field: an unknown queue, a weight out of range, a quota naming nothing")
    void badInput() throws Exception {
        var res = api.post("/v1/jobs", batch("lost", "no-such-queue", 1, 10, 1, 50));
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(res.body()).getJsonArray("errors").getJsonObject(0).getString("path")).isEqualTo("queue");
        assertThat(res.body()).contains("no queue named \\\"no-such-queue\\\"");
        var weight = api.put("/v1/queues/w", "{\"weight\": -1}");
        assertThat(weight.statusCode()).isEqualTo(400);
        assertThat(weight.body()).contains("\"path\":\"weight\"");
        var empty = api.put("/v1/queues/w", "{\"quota\": {}}");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("\"path\":\"quota\"").contains("names no resource");
        assertThat(api.get("/v1/queues/w").statusCode()).isEqualTo(404);
    }

    // --- helpers

    static String batch(String name, String queue, int count, long cpuMillis, int seconds, int priority) {
        return """
                {"name": "%s", "queue": "%s", "priority": %d, "groups": [{"count": %d, "tasks": [{"image": "busybox",
                 "command": ["sleep", "%d"], "resources": {"cpu": "%dm", "memory": "8Mi"}}]}]}""".formatted(name, queue, priority, count, seconds, cpuMillis);
    }

    static dev.berth.scheduler.placement.TimedSimulation.SimJob simJob(String json) {
        var spec = ((dev.berth.model.spec.SpecResult.Valid) dev.berth.model.spec.SpecReader.read(json, "application/json")).spec();
        return new dev.berth.scheduler.placement.TimedSimulation.SimJob(spec, Duration.ZERO, java.util.Map.of(spec.groups().getFirst().name(), Duration.ofSeconds(2)));
    }

    static double cpuSeconds(List<JsonObject> runs, Instant from, Instant to) {
        double total = 0;
        for (var r : runs) {
            if (r.getString("startedAt") == null || r.getString("finishedAt") == null) continue;
            Instant s = max(Instant.parse(r.getString("startedAt")), from), e = min(Instant.parse(r.getString("finishedAt")), to);
            if (e.isAfter(s)) {
                double cpu = dev.berth.model.units.Cpu.parse(r.getJsonObject("resources").getString("cpu")).millicores() / 1000.0;
                total += cpu * Duration.between(s, e).toNanos() / 1e9;
            }
        }
        return total;
    }

    static Instant earliest(List<JsonObject> a, List<JsonObject> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all.stream().map(x -> x.getString("startedAt")).filter(java.util.Objects::nonNull).map(Instant::parse).min(Instant::compareTo).orElseThrow();
    }

    static Instant latestStart(List<JsonObject> runs) {
        return runs.stream().map(x -> x.getString("startedAt")).filter(java.util.Objects::nonNull).map(Instant::parse).max(Instant::compareTo).orElseThrow();
    }

    static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static void eligible(boolean yes) throws Exception {
        var res = api.post("/v1/nodes/" + nodeId + "/eligibility", "{\"eligible\": " + yes + "}");
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    }

}
