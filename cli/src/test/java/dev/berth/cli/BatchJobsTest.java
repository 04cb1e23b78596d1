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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    static String api;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-batch-");
        var executor = ExecutorConfig.of("batch-node", dataDir).with("cgroupParent", "berth-batch-test").with(TestDirs.network("batch", 18));
        NodeRuntime.images(executor).importImage(BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar")), "busybox:latest");
        int clusterPort;
        try (var s = new ServerSocket(0)) {
            clusterPort = s.getLocalPort();
        }
        berth = AllInOne.start(ClusterSettings.single("berth-batch-" + clusterPort, clusterPort), SchedulerConfig.defaults().with("port", 0),
                executor, NodeRuntime.create(executor));
        api = "http://127.0.0.1:" + berth.apiPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(get("/v1/nodes").body()).size() == 1);
    }

    @AfterAll
    static void down() throws Exception {
        if (berth != null) berth.close();
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("each of 5 instances sees its own BERTH_ALLOC_INDEX 0–4 once, with its job, group, count, allocation and node")
    void indices() throws Exception {
        String id = submit("""
                {"name": "array", "groups": [{"name": "part", "count": 5, "tasks": [{"image": "busybox", "command": ["sh", "-c",
                 "echo $BERTH_ALLOC_INDEX $BERTH_GROUP_COUNT $BERTH_GROUP $BERTH_NODE_ID $BERTH_JOB_ID $BERTH_ALLOC_ID"],
                 "env": {"BERTH_ALLOC_INDEX": "not mine to set"}, "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        awaitStatus(id, "complete", 30);
        var indices = new ArrayList<String>();
        for (var a : allocations(id)) {
            String line = get("/v1/allocations/" + a.getString("id") + "/logs").body().strip();
            String[] f = line.split(" ");
            assertThat(f).containsExactly(String.valueOf(a.getInteger("index")), "5", "part", "batch-node", id, a.getString("id"));
            indices.add(f[0]);
        }
        assertThat(indices).containsExactlyInAnyOrder("0", "1", "2", "3", "4");
    }

    @Test
    @DisplayName("maxParallel 2: of 6 instances, never more than 2 run at once, and 2 do")
    void maxParallel() throws Exception {
        String id = submit("""
                {"name": "throttled", "groups": [{"count": 6, "maxParallel": 2, "tasks": [{"image": "busybox", "command": ["sleep", "1"],
                 "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        await().atMost(Duration.ofSeconds(20)).until(() -> allocations(id).stream().anyMatch(a -> "waiting: maxParallel 2 (2 placed)".equals(a.getString("reason"))));
        awaitStatus(id, "complete", 60);
        var events = new TreeMap<Instant, Integer>();
        for (var a : allocations(id)) {
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
        String a = submit("""
                {"name": "first", "groups": [{"tasks": [{"image": "busybox", "command": ["sleep", "2"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        String b = submit("""
                {"name": "second", "dependsOn": [{"job": "%s", "condition": "success"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(a));
        await().atMost(Duration.ofSeconds(10)).until(() -> ("waiting for job " + a).equals(allocations(b).getFirst().getString("reason")));
        assertThat(job(b).getString("status")).isEqualTo("pending");
        awaitStatus(b, "complete", 40);
        assertThat(Instant.parse(allocations(b).getFirst().getString("startedAt"))).isAfterOrEqualTo(Instant.parse(allocations(a).getFirst().getString("finishedAt")));

        String bad = submit("""
                {"name": "doomed", "groups": [{"restart": {"attempts": 0}, "reschedule": {"attempts": 0},
                 "tasks": [{"image": "busybox", "command": ["sh", "-c", "exit 3"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        String c = submit("""
                {"name": "never", "dependsOn": [{"job": "%s"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(bad));
        String d = submit("""
                {"name": "afternotok", "dependsOn": [{"job": "%s", "condition": "failure"}],
                 "groups": [{"tasks": [{"image": "busybox", "command": ["true"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""".formatted(bad));
        awaitStatus(c, "failed", 30);
        var never = allocations(c).getFirst();
        assertThat(never.getString("reason")).isEqualTo("dependency " + bad + " failed");
        assertThat(never.getString("startedAt")).isNull();
        assertThat(never.getString("nodeId")).as("it was never placed").isNull();
        awaitStatus(d, "complete", 30);

        var unknown = post("/v1/jobs", """
                {"name": "orphan", "dependsOn": [{"job": "no-such-job"}], "groups": [{"tasks": [{"image": "busybox"}]}]}""");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"path\":\"dependsOn[0].job\"").contains("no job with id \\\"no-such-job\\\"");
        var badCondition = post("/v1/jobs", """
                {"name": "odd", "dependsOn": [{"job": "%s", "condition": "sometimes"}], "groups": [{"tasks": [{"image": "busybox"}]}]}""".formatted(a));
        assertThat(badCondition.body()).contains("\"path\":\"dependsOn[0].condition\"").contains("is not one of success, failure, finished");
    }

    @Test
    @DisplayName("a task past its deadline is stopped (TERM, then KILL after its killTimeout) and fails with the reason")
    void deadline() throws Exception {
        String id = submit("""
                {"name": "late", "groups": [{"restart": {"attempts": 0}, "reschedule": {"attempts": 0}, "tasks": [{"image": "busybox",
                 "command": ["sh", "-c", "trap '' TERM; sleep 60"], "deadline": "2s", "killTimeout": "1s", "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        awaitStatus(id, "failed", 30);
        var a = allocations(id).getFirst();
        assertThat(a.getString("reason")).isEqualTo("deadline exceeded after 2s");
        assertThat(a.getInteger("signal")).as("it ignored TERM, so KILL ended it").isEqualTo(9);
        assertThat(Duration.between(Instant.parse(a.getString("startedAt")), Instant.parse(a.getString("finishedAt"))))
                .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(15));
    }

    @Test
    @DisplayName("berth acct lists what ran with its elapsed time, cpu seconds and peak memory, as a table and as CSV")
    void accounting() throws Exception {
        String id = submit("""
                {"name": "burn", "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c",
                 "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; head -c 16m /dev/zero > /dev/shm/hold"],
                 "resources": {"cpu": "1", "memory": "64Mi"}}]}]}""");
        awaitStatus(id, "complete", 60);
        var listed = new JsonArray(get("/v1/allocations?job=" + id + "&status=complete&since=1h").body());
        assertThat(listed).hasSize(1);
        var acct = listed.getJsonObject(0).getJsonObject("accounting");
        assertThat(acct.getDouble("cpuSeconds")).as("cpu seconds from its cgroup").isGreaterThan(0.2);
        assertThat(acct.getLong("peakMemory")).as("peak memory from its cgroup: 16 MiB held in /dev/shm").isGreaterThanOrEqualTo(16L << 20);
        assertThat(listed.getJsonObject(0).getDouble("elapsedSeconds")).isGreaterThan(0.2);

        var table = cli("acct", "--job", id);
        System.out.print(table.out);
        assertThat(table.code).as(table.err).isZero();
        var lines = table.out.strip().split("\n");
        assertThat(lines[0]).startsWith("ALLOCATION").contains("ELAPSED_S").contains("CPU_S").contains("PEAK_MEMORY");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).contains(id).contains("complete").contains(String.format(java.util.Locale.ROOT, "%.3f", acct.getDouble("cpuSeconds")));
        var csv = cli("acct", "--job", id, "--csv").out.strip().split("\n");
        assertThat(csv[0]).isEqualTo("allocation,job,group,index,node,status,start,elapsed_s,cpu_s,peak_memory,exit,signal");
        assertThat(csv[1].split(",")[9]).isEqualTo(String.valueOf(acct.getLong("peakMemory")));
        assertThat(new JsonArray(get("/v1/allocations?since=1h&status=failed&job=" + id).body())).isEmpty();
        assertThat(get("/v1/allocations?status=weird").body()).contains("\"path\":\"status\"");
        assertThat(get("/v1/allocations?since=yesterday").body()).contains("\"path\":\"since\"");
    }

    @Test
    @DisplayName("a periodic job with a per-minute cron starts a run within 70 s, force starts one at once, and GET shows the next run")
    void periodic() throws Exception {
        String id = submit("""
                {"name": "tick", "periodic": {"cron": "* * * * *", "timeZone": "Europe/Berlin", "overlap": "allow"},
                 "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "echo tick from $BERTH_JOB_ID"], "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        var parent = job(id);
        assertThat(parent.getString("status")).isEqualTo("running");
        assertThat(allocations(id)).as("the parent runs nothing itself").isEmpty();
        Instant next = Instant.parse(parent.getJsonObject("periodic").getString("nextRun"));
        assertThat(next).isAfter(Instant.now().minusSeconds(1)).isBefore(Instant.now().plusSeconds(61));
        assertThat(next.getEpochSecond() % 60).as("on the minute").isZero();

        var forced = post("/v1/jobs/" + id + "/periodic/force", "");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(201);
        String first = new JsonObject(forced.body()).getString("id");
        assertThat(first).startsWith(id + ".periodic-");
        assertThat(job(first).getString("parent")).isEqualTo(id);
        awaitStatus(first, "complete", 30);
        assertThat(get("/v1/allocations/" + allocations(first).getFirst().getString("id") + "/logs").body()).isEqualTo("tick from " + first + "\n");

        await().atMost(Duration.ofSeconds(70)).until(() -> job(id).getJsonArray("children").stream()
                .map(String::valueOf).anyMatch(c -> !c.equals(first) && Long.parseLong(c.substring(c.lastIndexOf('-') + 1)) % 60 == 0));
        String scheduled = job(id).getJsonArray("children").stream().map(String::valueOf).filter(c -> !c.equals(first)).findFirst().orElseThrow();
        awaitStatus(scheduled, "complete", 30);
        assertThat(job(id).getJsonObject("periodic").getString("lastLaunched")).isEqualTo(
                Instant.ofEpochSecond(Long.parseLong(scheduled.substring(scheduled.lastIndexOf('-') + 1))).toString());
        assertThat(post("/v1/jobs/" + first + "/periodic/force", "").body()).contains("is not periodic");
        assertThat(post("/v1/jobs", """
                {"name": "bad", "periodic": {"cron": "every minute", "timeZone": "Mars/Olympus"}, "groups": [{"tasks": [{"image": "busybox"}]}]}""").body())
                .contains("\"path\":\"periodic.cron\"").contains("\"path\":\"periodic.timeZone\"");
        HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(job(id).getString("status")).isEqualTo("stopped");
        assertThat(job(id).getJsonObject("periodic").getString("nextRun")).isNull();
    }

    @Test
    @DisplayName("a dispatch with meta and a payload runs a child that sees both; the same idempotency token makes no second child")
    void dispatch() throws Exception {
        String id = submit("""
                {"name": "convert", "parameterized": {"payload": "required", "metaRequired": ["format"], "metaOptional": ["quality"]},
                 "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "echo $BERTH_META_FORMAT $BERTH_META_QUALITY; cat /berth/payload"],
                  "resources": {"cpu": "10m", "memory": "8Mi"}}]}]}""");
        assertThat(job(id).getString("status")).isEqualTo("running");
        String payload = java.util.Base64.getEncoder().encodeToString("the payload\n".getBytes());
        var made = post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("format", "png").put("quality", "high"))
                .put("payload", payload).put("idempotencyToken", "batch-42").encode());
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String child = new JsonObject(made.body()).getString("id");
        assertThat(child).startsWith(id + ".dispatch-");
        awaitStatus(child, "complete", 30);
        assertThat(get("/v1/allocations/" + allocations(child).getFirst().getString("id") + "/logs").body()).isEqualTo("png high\nthe payload\n");

        var again = post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("format", "gif"))
                .put("payload", payload).put("idempotencyToken", "batch-42").encode());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(again.body()).getString("id")).isEqualTo(child);
        assertThat(job(id).getJsonArray("children")).containsExactly(child);

        var cli = cli("job", "dispatch", id, "--meta", "format=jpg", dataDir.resolve("busybox.tar").toString().replace("busybox.tar", "payload.txt"));
        assertThat(cli.code).as("a payload file that is not there").isNotZero();
        Files.writeString(dataDir.resolve("payload.txt"), "from a file\n");
        cli = cli("job", "dispatch", id, "--meta", "format=jpg", dataDir.resolve("payload.txt").toString());
        assertThat(cli.code).as(cli.err).isZero();
        String third = cli.out.strip().replace("Dispatched ", "");
        awaitStatus(third, "complete", 30);
        assertThat(get("/v1/allocations/" + allocations(third).getFirst().getString("id") + "/logs").body()).isEqualTo("jpg\nfrom a file\n");

        var refused = post("/v1/jobs/" + id + "/dispatch", new JsonObject().put("meta", new JsonObject().put("size", "1")).encode());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"path\":\"meta.size\"").contains("\"path\":\"meta.format\"").contains("\"path\":\"payload\"");
    }

    @Test
    @DisplayName("a gang of 3 on a node with room for 2 places none and says so, in the plan and on its allocations")
    void gang() throws Exception {
        String spec = """
                {"name": "mpi", "groups": [{"count": 3, "gang": true, "tasks": [{"image": "busybox", "command": ["sleep", "30"],
                 "resources": {"cpu": "800m", "memory": "8Mi"}}]}]}""";
        var plan = new JsonObject(post("/v1/jobs/plan", spec).body());
        assertThat(plan.getInteger("placed")).isZero();
        assertThat(plan.getJsonArray("groups").getJsonObject(0).getString("explain")).contains("a gang of 3 places all or none, and 2 fit now");
        String id = submit(spec);
        await().atMost(Duration.ofSeconds(10)).until(() -> allocations(id).stream().allMatch(a -> a.getString("reason") != null
                && a.getString("reason").contains("a gang of 3 places all or none, and 2 fit now")));
        assertThat(allocations(id)).hasSize(3).allSatisfy(a -> assertThat(a.getString("nodeId")).isNull());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> allocations(id).stream().noneMatch(a -> a.getString("nodeId") != null));
        HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        awaitStatus(id, "stopped", 10);
    }

    // --- helpers

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var full = java.util.stream.Stream.concat(java.util.stream.Stream.of(args), java.util.stream.Stream.of("--address", api)).toArray(String[]::new);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    static void awaitStatus(String id, String status, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).until(() -> job(id).getString("status").equals(status));
    }

    static String submit(String json) throws Exception {
        var res = post("/v1/jobs", json);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return new JsonObject(res.body()).getString("id");
    }

    static JsonObject job(String id) throws Exception {
        return new JsonObject(get("/v1/jobs/" + id).body());
    }

    static List<JsonObject> allocations(String id) throws Exception {
        var arr = new JsonArray(get("/v1/jobs/" + id + "/allocations").body());
        var out = new ArrayList<JsonObject>();
        for (int i = 0; i < arr.size(); i++) out.add(arr.getJsonObject(i));
        return out;
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
