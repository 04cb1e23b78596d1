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
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Batch work as Slurm and Nomad users expect it, on the real runtime: indices, maxParallel, dependencies, deadlines, accounting. */
class BatchJobsTest {
    static Path dataDir;
    static AllInOne berth;
    static TestApi api;

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-batch-");
        var executor = ExecutorConfig.of("batch-node", dataDir).with("cgroupParent", "berth-batch-test").with(TestDirs.network("batch", 18));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort = EndToEndTest.freePort();
        berth = AllInOne.start(ClusterSettings.single("berth-batch-" + clusterPort, clusterPort), SchedulerConfig.defaults().with("port", 0),
                executor, NodeRuntime.create(executor));
        api = new TestApi("http://127.0.0.1:" + berth.apiPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(api.get("/v1/nodes").body()).size() == 1);
    }

    @AfterAll
    static void down() throws Exception {
        if (berth != null) berth.close();
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("each of 5 instances sees its own BERTH_ALLOC_INDEX 0–4 once, with its job, group, count, allocation and node")
    void indices() throws Exception {
        String id = api.submit("""
                {"name": "array", "groups": [{"name": "part", "count": 5, "tasks": [{"image": "busybox", "command": ["sh", "-c",
                 "echo $BERTH_ALLOC_INDEX $BERTH_GROUP_COUNT $BERTH_GROUP $BERTH_NODE_ID $BERTH_JOB_ID $BERTH_ALLOC_ID"],
                 "env": {"BERTH_ALLOC_INDEX": "not mine to set"}, "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        api.awaitStatus(id, "complete", 30);
        var indices = new ArrayList<String>();
        for (var a : api.allocations(id)) {
            String line = api.get("/v1/allocations/" + a.getString("id") + "/logs").body().strip();
            String[] f = line.split(" ");
            assertThat(f).containsExactly(String.valueOf(a.getInteger("index")), "5", "part", "batch-node", id, a.getString("id"));
            indices.add(f[0]);
        }
        assertThat(indices).containsExactlyInAnyOrder("0", "1", "2", "3", "4");
    }

    @Test
    @DisplayName("maxParallel 2: of 6 instances, never more than 2 run at once, and 2 do")
    void maxParallel() throws Exception {
        String id = api.submit("""
                {"name": "throttled", "groups": [{"count": 6, "maxParallel": 2, "tasks": [{"image": "busybox", "command": ["sleep", "1"],
                 "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.allocations(id).stream().anyMatch(a -> "waiting: maxParallel 2 (2 placed)".equals(a.getString("reason"))));
        api.awaitStatus(id, "complete", 60);
        var events = new TreeMap<Instant, Integer>();
        for (var a : api.allocations(id)) {
            events.merge(Instant.parse(a.getString("startedAt")), 1, Integer::sum);
            events.merge(Instant.parse(a.getString("finishedAt")), -1, Integer::sum);
        }
        int running = 0, most = 0;
        for (int delta : events.values()) {
            running += delta;
            most = Math.max(most, running);
        }
        assertThat(most).as("most running at once, from the allocations' start and end times").isEqualTo(2);
    }

    @Test
    @DisplayName("B depends on A's success: it waits while A runs and starts after A completed; with A failing, C fails without ever running")
    void dependencies() throws Exception {
        String a = api.submit("""
                {"name": "first", "groups": [{"tasks": [{"image": "busybox", "command": ["sleep", "2"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        String b = api.submit("""
                {"name": "second", "dependsOn": [{"job": "%s", "condition": "success"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(a));
        await().atMost(Duration.ofSeconds(10)).until(() -> ("waiting for job " + a).equals(api.allocations(b).getFirst().getString("reason")));
        assertThat(api.job(b).getString("status")).isEqualTo("pending");
        api.awaitStatus(b, "complete", 40);
        assertThat(Instant.parse(api.allocations(b).getFirst().getString("startedAt"))).isAfterOrEqualTo(Instant.parse(api.allocations(a).getFirst().getString("finishedAt")));

        String bad = api.submit("""
                {"name": "doomed", "groups": [{"restart": {"attempts": 0}, "reschedule": {"attempts": 0},
                 "tasks": [{"image": "busybox", "command": ["sh", "-c", "exit 3"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        String c = api.submit("""
                {"name": "never", "dependsOn": [{"job": "%s"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(bad));
        String d = api.submit("""
                {"name": "afternotok", "dependsOn": [{"job": "%s", "condition": "failure"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(bad));
        api.awaitStatus(c, "failed", 30);
        var never = api.allocations(c).getFirst();
        assertThat(never.getString("reason")).isEqualTo("dependency " + bad + " failed");
        assertThat(never.getString("startedAt")).isNull();
        assertThat(never.getString("nodeId")).as("it was never placed").isNull();
        api.awaitStatus(d, "complete", 30);

        var unknown = api.post("/v1/jobs", """
                {"name": "orphan", "dependsOn": [{"job": "no-such-job"}], "groups": [{"tasks": [{"image": "busybox"}]}]}""");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"path\":\"dependsOn[0].job\"").contains("no job with id \\\"no-such-job\\\"");
        var badCondition = api.post("/v1/jobs", """
                {"name": "odd", "dependsOn": [{"job": "%s", "condition": "sometimes"}], "groups": [{"tasks": [{"image": "busybox"}]}]}""".formatted(a));
        assertThat(badCondition.body()).contains("\"path\":\"dependsOn[0].condition\"").contains("is not one of success, failure, finished");
    }

    @Test
    @DisplayName("a task past its deadline is stopped (TERM, then KILL after its killTimeout) and fails with the reason")
    void deadline() throws Exception {
        String id = api.submit("""
                {"name": "late", "groups": [{"restart": {"attempts": 0}, "reschedule": {"attempts": 0}, "tasks": [{"image": "busybox",
                 "command": ["sh", "-c", "trap '' TERM; sleep 60"], "deadline": "2s", "killTimeout": "1s", "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        api.awaitStatus(id, "failed", 30);
        var a = api.allocations(id).getFirst();
        assertThat(a.getString("reason")).isEqualTo("deadline exceeded after 2s");
        assertThat(a.getInteger("signal")).as("it ignored TERM, so KILL ended it").isEqualTo(9);
        assertThat(Duration.between(Instant.parse(a.getString("startedAt")), Instant.parse(a.getString("finishedAt"))))
                .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(15));
    }

    @Test
    @DisplayName("berth acct lists what ran with its elapsed time, cpu seconds and peak memory, as a table and as CSV")
    void accounting() throws Exception {
        String id = api.submit("""
                {"name": "burn", "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c",
                 "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; head -c 16m /dev/zero > /dev/shm/hold"],
                 "resources": {"cpu": "1", "memory": "64Mi"}}]}]}""");
        api.awaitStatus(id, "complete", 60);
        var listed = new JsonArray(api.get("/v1/allocations?job=" + id + "&status=complete&since=1h").body());
        assertThat(listed).hasSize(1);
        var acct = listed.getJsonObject(0).getJsonObject("accounting");
        assertThat(acct.getDouble("cpuSeconds")).as("cpu seconds from its cgroup").isGreaterThan(0.2);
        assertThat(acct.getLong("peakMemory")).as("peak memory from its cgroup: 16 MiB held in /dev/shm").isGreaterThanOrEqualTo(16L << 20);
        assertThat(listed.getJsonObject(0).getDouble("elapsedSeconds")).isGreaterThan(0.2);

        var table = api.cli("acct", "--job", id);
        System.out.print(table.out());
        assertThat(table.code()).as(table.err()).isZero();
        var lines = table.out().strip().split("\n");
        assertThat(lines[0]).startsWith("ALLOCATION").contains("ELAPSED_S").contains("CPU_S").contains("PEAK_MEMORY");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).contains(id).contains("complete").contains(String.format(java.util.Locale.ROOT, "%.3f", acct.getDouble("cpuSeconds")));
        var csv = api.cli("acct", "--job", id, "--csv").out().strip().split("\n");
        assertThat(csv[0]).isEqualTo("allocation,job,group,index,node,status,start,elapsed_s,cpu_s,peak_memory,exit,signal");
        assertThat(csv[1].split(",")[9]).isEqualTo(String.valueOf(acct.getLong("peakMemory")));
        assertThat(new JsonArray(api.get("/v1/allocations?since=1h&status=failed&job=" + id).body())).isEmpty();
        assertThat(api.get("/v1/allocations?status=weird").body()).contains("\"path\":\"status\"");
        assertThat(api.get("/v1/allocations?since=yesterday").body()).contains("\"path\":\"since\"");
    }

    @Test
    @DisplayName("a periodic job with a per-minute cron starts a run within 70 s, force starts one at once, and GET shows the next run")
    void periodic() throws Exception {
        String id = api.submit("""
                {"name": "tick", "periodic": {"cron": "* * * * *", "timeZone": "Europe/Berlin", "overlap": "allow"},
                 "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "echo tick from $BERTH_JOB_ID"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        var parent = api.job(id);
        assertThat(parent.getString("status")).isEqualTo("running");
        assertThat(api.allocations(id)).as("the parent runs nothing itself").isEmpty();
        Instant next = Instant.parse(parent.getJsonObject("periodic").getString("nextRun"));
        assertThat(next).isAfter(Instant.now().minusSeconds(1)).isBefore(Instant.now().plusSeconds(61));
        assertThat(next.getEpochSecond() % 60).as("on the minute").isZero();

        var forced = api.post("/v1/jobs/" + id + "/periodic/force", "");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(201);
        String first = new JsonObject(forced.body()).getString("id");
        assertThat(first).startsWith(id + ".periodic-");
        assertThat(api.job(first).getString("parent")).isEqualTo(id);
        api.awaitStatus(first, "complete", 30);
        assertThat(api.get("/v1/allocations/" + api.allocations(first).getFirst().getString("id") + "/logs").body()).isEqualTo("tick from " + first + "\n");

        await().atMost(Duration.ofSeconds(70)).until(() -> api.job(id).getJsonArray("children").stream()
                .map(String::valueOf).anyMatch(c -> !c.equals(first) && Long.parseLong(c.substring(c.lastIndexOf('-') + 1)) % 60 == 0));
        String scheduled = api.job(id).getJsonArray("children").stream().map(String::valueOf).filter(c -> !c.equals(first)).findFirst().orElseThrow();
        api.awaitStatus(scheduled, "complete", 30);
        assertThat(api.job(id).getJsonObject("periodic").getString("lastLaunched")).isEqualTo(
                Instant.ofEpochSecond(Long.parseLong(scheduled.substring(scheduled.lastIndexOf('-') + 1))).toString());
        assertThat(api.post("/v1/jobs/" + first + "/periodic/force", "").body()).contains("is not periodic");
        assertThat(api.post("/v1/jobs", """
                {"name": "bad", "periodic": {"cron": "every minute", "timeZone": "Mars/Olympus"}, "groups": [{"tasks": [{"image": "busybox"}]}]}""").body())
                .contains("\"path\":\"periodic.cron\"").contains("\"path\":\"periodic.timeZone\"");
        api.delete("/v1/jobs/" + id);
        assertThat(api.job(id).getString("status")).isEqualTo("stopped");
        assertThat(api.job(id).getJsonObject("periodic").getString("nextRun")).isNull();
    }

    @Test
    @DisplayName("a dispatch with meta and a payload runs a child that sees both; the same idempotency token makes no second child")
    void dispatch() throws Exception {
        String id = api.submit("""
                {"name": "convert", "parameterized": {"payload": "required", "metaRequired": ["format"], "metaOptional": ["quality"]},
                 "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "echo $BERTH_META_FORMAT $BERTH_META_QUALITY; cat /berth/payload"],
                  "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        assertThat(api.job(id).getString("status")).isEqualTo("running");
        String payload = java.util.Base64.getEncoder().encodeToString("the payload\n".getBytes());
        var made = api.post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("format", "png").put("quality", "high"))
                .put("payload", payload).put("idempotencyToken", "batch-42").encode());
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String child = new JsonObject(made.body()).getString("id");
        assertThat(child).startsWith(id + ".dispatch-");
        api.awaitStatus(child, "complete", 30);
        assertThat(api.get("/v1/allocations/" + api.allocations(child).getFirst().getString("id") + "/logs").body()).isEqualTo("png high\nthe payload\n");

        var again = api.post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("format", "gif"))
                .put("payload", payload).put("idempotencyToken", "batch-42").encode());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(again.body()).getString("id")).isEqualTo(child);
        assertThat(api.job(id).getJsonArray("children")).containsExactly(child);

        var cli = api.cli("job", "dispatch", id, "--meta", "format=jpg", dataDir.resolve("busybox.tar").toString().replace("busybox.tar", "payload.txt"));
        assertThat(cli.code()).as("a payload file that is not there").isNotZero();
        Files.writeString(dataDir.resolve("payload.txt"), "from a file\n");
        cli = api.cli("job", "dispatch", id, "--meta", "format=jpg", dataDir.resolve("payload.txt").toString());
        assertThat(cli.code()).as(cli.err()).isZero();
        String third = cli.out().strip().replace("Dispatched ", "");
        api.awaitStatus(third, "complete", 30);
        assertThat(api.get("/v1/allocations/" + api.allocations(third).getFirst().getString("id") + "/logs").body()).isEqualTo("jpg\nfrom a file\n");

        var refused = api.post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("size", "1")).encode());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"path\":\"meta.size\"").contains("\"path\":\"meta.format\"").contains("\"path\":\"payload\"");
    }

    @Test
    @DisplayName("a gang of 3 on a node with room for 2 places none and says so, in the plan and on its allocations")
    void gang() throws Exception {
        String spec = """
                {"name": "mpi", "groups": [{"count": 3, "gang": true, "tasks": [{"image": "busybox", "command": ["sleep", "30"],
                 "resources": {"cpu": "800m", "memory": "8Mi"}}]}]}""";
        var plan = new JsonObject(api.post("/v1/jobs/plan", spec).body());
        assertThat(plan.getInteger("placed")).isZero();
        assertThat(plan.getJsonArray("groups").getJsonObject(0).getString("explain")).contains("a gang of 3 places all or none, and 2 fit now");
        String id = api.submit(spec);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.allocations(id).stream().allMatch(a -> a.getString("reason") != null
                && a.getString("reason").contains("a gang of 3 places all or none, and 2 fit now")));
        assertThat(api.allocations(id)).hasSize(3).allSatisfy(a -> assertThat(a.getString("nodeId")).isNull());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> api.allocations(id).stream().noneMatch(a -> a.getString("nodeId") != null));
        api.delete("/v1/jobs/" + id);
        api.awaitStatus(id, "stopped", 10);
    }

}
