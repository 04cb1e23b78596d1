package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.up.AllInOne;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.executor.image.registry.TestLayouts;
import dev.berth.executor.image.registry.TestRegistry;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.scheduler.SchedulerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
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
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A scheduler and an executor in this JVM, driven through the REST API and the CLI as a user would. */
class EndToEndTest {
    static Path dataDir;
    static AllInOne berth;
    static String api;
    static TestRegistry registry;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-e2e-");
        int clusterPort = freePort();
        registry = new TestRegistry();
        registry.push(TestLayouts.whiteoutImage(dataDir.resolve("layout"), BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("bb.tar"))),
                "v1", "berth/e2e", false);
        Path registries = Files.writeString(dataDir.resolve("registries.yaml"), "insecure: [\"" + registry.host() + "\"]\n");
        var executor = ExecutorConfig.of("e2e-node", dataDir).with("cgroupParent", "berth-e2e-test", "logMaxBytes", 64 * 1024, "logFiles", 2,
                "registries", registries).with(TestDirs.network("e2e", 15));
        Path tar = BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("busybox.tar"));
        NodeRuntime.images(executor).importImage(tar, "busybox:latest");
        berth = AllInOne.start(ClusterSettings.single("berth-e2e-" + clusterPort, clusterPort),
                SchedulerConfig.defaults().with("port", 0), executor, NodeRuntime.create(executor));
        api = "http://127.0.0.1:" + berth.apiPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonArray(get("/v1/nodes").body()).size() == 1);
    }

    @AfterAll
    static void down() throws Exception {
        if (berth != null) berth.close();
        if (registry != null) registry.close();
        TestDirs.delete(dataDir);
    }

    @Test
    @DisplayName("a batch job that echoes a line completes, and its log holds the line")
    void batchJobCompletesAndItsLogIsServed() throws Exception {
        String id = submit("""
                {"name": "echo", "groups": [{"tasks": [{"image": "busybox", "command": ["echo", "hello from berth"]}]}]}
                """, "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(id).getString("status").equals("complete"));
        var job = job(id);
        assertThat(job.getJsonObject("allocations").getLong("complete")).isEqualTo(1);
        assertThat(job.getJsonObject("spec").getString("name")).isEqualTo("echo");
        var alloc = allocations(id).getJsonObject(0);
        assertThat(alloc.getString("status")).isEqualTo("complete");
        assertThat(alloc.getInteger("exitCode")).isZero();
        assertThat(alloc.getString("nodeId")).isEqualTo("e2e-node");
        assertThat(alloc.getString("startedAt")).isNotNull();
        assertThat(alloc.getString("finishedAt")).isNotNull();
        var logs = get("/v1/allocations/" + alloc.getString("id") + "/logs?stream=stdout");
        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.body()).isEqualTo("hello from berth\n");
        assertThat(get("/v1/allocations/" + alloc.getString("id") + "/logs?stream=stderr").body()).isEmpty();
    }

    @Test
    @DisplayName("a task with userns: true runs as root in a user namespace of its own, mapped to the node's first free range of host ids")
    void userNamespaceThroughTheApi() throws Exception {
        String id = submit("""
                {"name": "userns", "groups": [{"tasks": [{"image": "busybox", "userns": true, "command": ["sh", "-c", "id -u; cat /proc/self/uid_map"]}]}]}
                """, "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(id).getString("status").equals("complete"));
        String log = get("/v1/allocations/" + allocations(id).getJsonObject(0).getString("id") + "/logs?stream=stdout").body();
        assertThat(log.lines().map(String::strip).toList()).startsWith("0").anyMatch(l -> l.matches("0\\s+100000\\s+65536"));
    }

    @Test
    @DisplayName("a task that exits non-zero is restarted on its node by the group's restart policy, then fails")
    void restartPolicy() throws Exception {
        String id = submit("""
                name: flaky
                groups:
                  - restart: {attempts: 2, delay: 200ms, interval: 1h, mode: fail}
                    reschedule: {attempts: 0}
                    tasks:
                      - image: busybox
                        command: [sh, -c, "echo run; exit 4"]
                """, "application/yaml");
        await().atMost(Duration.ofSeconds(30)).until(() -> job(id).getString("status").equals("failed"));
        var alloc = allocations(id).getJsonObject(0);
        assertThat(allocations(id).size()).isEqualTo(1);
        assertThat(alloc.getString("reason")).isEqualTo("exited with code 4");
        assertThat(get("/v1/allocations/" + alloc.getString("id") + "/logs").body()).isEqualTo("run\nrun\nrun\n");
    }

    @Test
    @DisplayName("a failed batch allocation is placed again by the group's reschedule policy")
    void rescheduleFailed() throws Exception {
        String id = submit("""
                name: again
                groups:
                  - restart: {attempts: 0}
                    reschedule: {attempts: 1, interval: 1h, delay: 1s}
                    tasks:
                      - image: busybox
                        command: [sh, -c, "exit 5"]
                """, "application/yaml");
        await().atMost(Duration.ofSeconds(30)).until(() -> allocations(id).size() == 2
                && allocations(id).stream().allMatch(a -> ((JsonObject) a).getString("status").equals("failed")));
        var first = allocations(id).getJsonObject(0);
        var second = allocations(id).getJsonObject(1);
        assertThat(first.getString("replacedBy")).isEqualTo(second.getString("id"));
        assertThat(second.getString("previous")).isEqualTo(first.getString("id"));
        assertThat(second.getInteger("attempt")).isEqualTo(1);
        Thread.sleep(2500); // one attempt only: no third allocation
        assertThat(allocations(id).size()).isEqualTo(2);
        assertThat(job(id).getString("status")).isEqualTo("failed");
    }

    @Test
    @DisplayName("a YAML job that fails reports its exit code and the reason")
    void failingYamlJob() throws Exception {
        String id = submit("""
                name: fails
                groups:
                  - restart: {attempts: 0}
                    tasks:
                      - image: busybox
                        command: [sh, -c, "echo oops >&2; exit 3"]
                """, "application/yaml");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(id).getString("status").equals("failed"));
        var alloc = allocations(id).getJsonObject(0);
        assertThat(alloc.getInteger("exitCode")).isEqualTo(3);
        assertThat(alloc.getString("reason")).isEqualTo("exited with code 3");
        assertThat(get("/v1/allocations/" + alloc.getString("id") + "/logs?stream=stderr").body()).isEqualTo("oops\n");
    }

    @Test
    @DisplayName("an invalid spec gets 400 with every error and its path")
    void invalidSpec() throws Exception {
        var res = post("/v1/jobs", """
                {"name": "bad name", "groups": [{"count": -2, "tasks": [{"resources": {"memory": "12XB", "cpu": "fast"}}]}]}
                """, "application/json");
        assertThat(res.statusCode()).isEqualTo(400);
        var errors = new JsonObject(res.body()).getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getString("path")).toList()).containsExactlyInAnyOrder(
                "name", "groups[0].count", "groups[0].tasks[0].image", "groups[0].tasks[0].resources.memory", "groups[0].tasks[0].resources.cpu");
        assertThat(errors.stream().map(e -> (JsonObject) e).filter(e -> e.getString("path").endsWith("memory")).findFirst().orElseThrow()
                .getString("message")).isEqualTo("\"12XB\" is not a size (use \"128Mi\", \"1G\" or a number of bytes)");
        assertThat(new JsonArray(get("/v1/jobs").body()).stream().map(j -> ((JsonObject) j).getString("name"))).doesNotContain("bad name");
    }

    @Test
    @DisplayName("a published port gets a dynamic host port; the allocation shows it with the task's address; it answers on loopback")
    void publishedPort() throws Exception {
        String id = submit("""
                {"name": "web", "type": "service", "groups": [{"tasks": [{"image": "busybox", "killTimeout": "1s",
                  "command": ["sh", "-c", "while true; do echo hello-web | nc -l -p 8080; done"],
                  "network": {"ports": [{"name": "http", "to": 8080}]}}]}]}
                """, "application/json");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> job(id).getString("status").equals("running"));
            await().atMost(Duration.ofSeconds(10)).until(() -> allocations(id).getJsonObject(0).getJsonObject("network").getString("ip") != null);
            var network = allocations(id).getJsonObject(0).getJsonObject("network");
            assertThat(network.getString("mode")).isEqualTo("bridge");
            assertThat(network.getString("ip")).startsWith("10.211.15.");
            var port = network.getJsonArray("ports").getJsonObject(0);
            assertThat(port.getString("name")).isEqualTo("http");
            assertThat(port.getInteger("to")).isEqualTo(8080);
            assertThat(port.getInteger("host")).isBetween(20000, 32000);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readFrom(port.getInteger("host")).contains("hello-web"));
        } finally {
            HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(15)).until(() -> job(id).getString("status").equals("stopped"));
        }
    }

    @Test
    @DisplayName("a static host port is a resource: a second instance cannot land on the node that has it, and says why")
    void staticPortTaken() throws Exception {
        String id = submit("""
                {"name": "twice", "type": "service", "groups": [{"count": 2, "tasks": [{"image": "busybox", "killTimeout": "1s",
                  "command": ["sleep", "300"], "network": {"ports": [{"name": "p", "to": 80, "static": 28090}]}}]}]}
                """, "application/json");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> allocations(id).stream().map(a -> (JsonObject) a)
                    .anyMatch(a -> "running".equals(a.getString("status"))));
            await().atMost(Duration.ofSeconds(10)).until(() -> allocations(id).stream().map(a -> (JsonObject) a)
                    .anyMatch(a -> a.getString("reason", "").contains("port 28090 taken on 1 node")));
        } finally {
            HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(15)).until(() -> job(id).getString("status").equals("stopped"));
        }
    }

    @Test
    @DisplayName("bad network specs get 400 with the field path: port out of range, a static port twice, host mode no node allows")
    void badNetworkSpecs() throws Exception {
        var res = post("/v1/jobs", """
                {"name": "badnet", "groups": [{"tasks": [{"image": "busybox", "network": {"ports": [{"name": "a", "to": 70000}]}},
                  {"name": "t2", "image": "busybox", "network": {"ports": [{"name": "a", "to": 80, "static": 8080}, {"name": "b", "to": 81, "static": 8080}]}}]}]}
                """, "application/json");
        assertThat(res.statusCode()).isEqualTo(400);
        var paths = new JsonObject(res.body()).getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("path")).toList();
        assertThat(paths).contains("groups[0].tasks[0].network.ports[0].to", "groups[0].tasks[1].network.ports[1].static");
        var host = post("/v1/jobs", """
                {"name": "hostnet", "groups": [{"tasks": [{"image": "busybox", "network": {"mode": "host"}}]}]}
                """, "application/json");
        assertThat(host.statusCode()).isEqualTo(400);
        var error = new JsonObject(host.body()).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("path")).isEqualTo("groups[0].tasks[0].network.mode");
        assertThat(error.getString("message")).contains("host networking is not allowed on any node");
        assertThat(new JsonArray(get("/v1/jobs").body()).stream().map(j -> ((JsonObject) j).getString("name"))).doesNotContain("hostnet", "badnet");
    }

    static String readFrom(int port) throws IOException {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(3000);
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    @DisplayName("a job whose image is not on the node pulls it from the registry first; an image that does not exist fails with why")
    void pullsMissingImage() throws Exception {
        String ref = registry.host() + "/berth/e2e:v1";
        String id = submit("""
                {"name": "pulled", "groups": [{"tasks": [{"image": "%s", "command": ["cat", "/data/hello.txt"]}]}]}
                """.formatted(ref), "application/json");
        await().atMost(Duration.ofSeconds(30)).until(() -> job(id).getString("status").equals("complete"));
        String alloc = allocations(id).getJsonObject(0).getString("id");
        assertThat(get("/v1/allocations/" + alloc + "/logs").body()).isEqualTo("hello from a registry\n");
        String missing = submit("""
                {"name": "nopull", "groups": [{"tasks": [{"image": "%s/berth/absent:1", "command": ["true"]}]}]}
                """.formatted(registry.host()), "application/json");
        await().atMost(Duration.ofSeconds(30)).until(() -> job(missing).getString("status").equals("failed"));
        assertThat(allocations(missing).getJsonObject(0).getString("reason"))
                .contains("cannot pull image " + registry.host() + "/berth/absent:1").contains("404");
    }

    @Test
    @DisplayName("berth image pull shows layers and bytes as they come, with a registries file; berth image prune")
    void imagePullCommand() throws Exception {
        Path store = dataDir.resolve("cli-store");
        Path registries = dataDir.resolve("registries.yaml");
        Files.writeString(registries, "insecure: [\"" + registry.host() + "\"]\n");
        var pull = cli("image", "pull", registry.host() + "/berth/e2e:v1", "--data-dir", store.toString(), "--registries", registries.toString());
        assertThat(pull.code).as(pull.err).isZero();
        assertThat(pull.out).contains("Pulling " + registry.host() + "/berth/e2e:v1 into " + store + ": 3 layer(s)", "(0 already here)",
                "layer 1/3", "layer 3/3", "Pulled " + registry.host() + "/berth/e2e:v1 into " + store + ": 3 layer(s)");
        var again = cli("image", "pull", registry.host() + "/berth/e2e:v1", "--data-dir", store.toString(), "--registries", registries.toString());
        assertThat(again.out).contains("(3 already here)", "already here, ");
        assertThat(cli("image", "list", "--data-dir", store.toString()).out).contains(registry.host() + "/berth/e2e:v1");
        // a registry on loopback is spoken to over plain http without being listed, as Docker and containerd do
        assertThat(cli("image", "rm", registry.host() + "/berth/e2e:v1", "--data-dir", store.toString()).code).isZero();
        var loopback = cli("image", "pull", registry.host() + "/berth/e2e:v1", "--data-dir", store.toString());
        assertThat(loopback.code).as(loopback.err).isZero();
        assertThat(cli("image", "rm", registry.host() + "/berth/e2e:v1", "--data-dir", store.toString()).code).isZero();
        assertThat(cli("image", "prune", "--data-dir", store.toString()).out).startsWith("Removed 0 layer(s)");
    }

    @Test
    @DisplayName("image commands reach the running node through the API and say so: import, busybox, pull, list, rm; a job then runs the image")
    void imageCommandsReachTheRunningNode() throws Exception {
        Path tar = BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, dataDir.resolve("app.tar"));
        var imported = cli("image", "import", tar.toString(), "--name", "app:1", "--address", api);
        assertThat(imported.code).as(imported.err).isZero();
        assertThat(imported.out).contains("Imported app:1 into node e2e-node (" + dataDir + "): ");
        var made = cli("image", "busybox", "--name", "bb:2", "--address", api);
        assertThat(made.out).as(made.err).contains("Imported bb:2 from /bin/busybox into node e2e-node");
        var pulled = cli("image", "pull", registry.host() + "/berth/e2e:v1", "--address", api, "--node", "e2e-node");
        assertThat(pulled.code).as(pulled.err).isZero();
        assertThat(pulled.out).contains("Pulling " + registry.host() + "/berth/e2e:v1 on node e2e-node", "Pulled " + registry.host() + "/berth/e2e:v1 on node e2e-node: 3 layer(s)");
        assertThat(cli("image", "list", "--address", api).out).contains("e2e-node", "app:1", "bb:2", registry.host() + "/berth/e2e:v1");

        String id = submit("""
                {"name": "app", "groups": [{"tasks": [{"image": "app:1", "command": ["echo", "from the imported image"]}]}]}
                """, "application/json");
        await().atMost(Duration.ofSeconds(30)).until(() -> job(id).getString("status").equals("complete"));
        assertThat(get("/v1/allocations/" + allocations(id).getJsonObject(0).getString("id") + "/logs").body()).isEqualTo("from the imported image\n");

        assertThat(cli("image", "rm", "bb:2", "--address", api).out).contains("Removed bb:2 from node e2e-node");
        var absent = cli("image", "rm", "bb:2", "--address", api);
        assertThat(absent.code).isEqualTo(1);
        assertThat(absent.err).contains("no image bb:2 on node e2e-node");
        var unknownNode = cli("image", "list", "--address", api, "--node", "nope");
        assertThat(unknownNode.err).contains("node nope is not a ready node of " + api);
        var noApi = cli("image", "list", "--address", "http://127.0.0.1:" + freePort(), "--node", "e2e-node");
        assertThat(noApi.err).contains("no Berth API answers at");
        var noName = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/nodes/e2e-node/images")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noName.statusCode()).isEqualTo(400);
        assertThat(noName.body()).contains("name");
    }

    @Test
    @DisplayName("the API edge: empty bodies get 400 with a reason, other media types 415, never a 5xx with a Java class name")
    void apiEdgeRefusesBadInput() throws Exception {
        for (String path : List.of("/v1/jobs", "/v1/jobs/plan", "/v1/capacity/fit")) {
            for (String type : java.util.Arrays.asList("application/json", "application/yaml", null)) {
                var res = post(path, "", type);
                assertThat(res.statusCode()).as(path + " " + type).isEqualTo(400);
                assertThat(res.body()).as(path).contains("the request body is empty").doesNotContain("Exception").doesNotContain("java.");
            }
            var html = post(path, "<html></html>", "text/html");
            assertThat(html.statusCode()).as(path).isEqualTo(415);
            assertThat(new JsonObject(html.body()).getString("error")).contains("text/html is neither JSON");
        }
        var hostile = post("/v1/jobs", """
                {"name": "x", "groups": [{"constraints": [{"attribute": "${node.id}", "operator": "regexp", "value": "(a"}],
                  "tasks": [{"image": "../../../../etc/passwd"}]}]}""", "application/json");
        assertThat(hostile.statusCode()).isEqualTo(400);
        assertThat(hostile.body()).contains("groups[0].tasks[0].image").contains("groups[0].constraints[0].value");
        // a job with a valid pattern still places: one bad pattern can no longer fail every pass
        String ok = submit("""
                {"name": "pattern", "groups": [{"constraints": [{"attribute": "${node.id}", "operator": "regexp", "value": "^e2e-(node|other)$"}],
                  "tasks": [{"image": "busybox", "command": ["true"]}]}]}""", "application/json");
        await().atMost(Duration.ofSeconds(30)).until(() -> job(ok).getString("status").equals("complete"));
    }

    @Test
    @DisplayName("node policy: a plan says which nodes refuse SYS_ADMIN and why; a submitted one waits with that reason")
    void nodePolicyRefusals() throws Exception {
        String admin = """
                {"name": "admin", "groups": [{"tasks": [{"image": "busybox", "capAdd": ["SYS_ADMIN"], "command": ["true"]}]}]}""";
        var plan = post("/v1/jobs/plan", admin, "application/json");
        assertThat(plan.statusCode()).isEqualTo(200);
        assertThat(plan.body()).contains("node policy refuses capAdd SYS_ADMIN on 1 node");
        String id = submit(admin, "application/json");
        await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(allocations(id).getJsonObject(0).getString("reason")).contains("node policy refuses capAdd SYS_ADMIN"));
        assertThat(allocations(id).getJsonObject(0).getString("status")).isEqualTo("pending");
        new dev.berth.cli.client.ApiClient(api).delete("/v1/jobs/" + id);
    }

    @Test
    @DisplayName("unknown ids, paths and methods get JSON errors with a message")
    void unknownThings() throws Exception {
        for (String path : new String[] {"/v1/jobs/nope", "/v1/jobs/nope/allocations", "/v1/allocations/nope", "/v1/allocations/nope/logs", "/v1/nodes/nope"}) {
            var res = get(path);
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(new JsonObject(res.body()).getString("error")).as(path).contains("\"nope\"");
        }
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/nope")).DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        var route = get("/v1/nothing-here");
        assertThat(route.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(route.body()).getString("error")).contains("/v1/nothing-here");
        var method = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs")).PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(get("/v1/allocations/x/logs?stream=both").statusCode()).isEqualTo(400);
    }

    @Test
    @DisplayName("a body over the limit gets 413")
    void oversizedBody() throws Exception {
        var res = post("/v1/jobs", "{\"name\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}", "application/json");
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(res.body()).getString("error")).contains("larger than the limit");
    }

    @Test
    @DisplayName("stopping a running service job ends its process")
    void stopServiceJob() throws Exception {
        String marker = "berth-e2e-" + UUID.randomUUID();
        String id = submit("""
                {"name": "svc", "type": "service", "groups": [{"tasks": [{"image": "busybox", "killTimeout": "2s",
                  "command": ["sh", "-c", "sleep 300; echo %s"]}]}]}
                """.formatted(marker), "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(id).getString("status").equals("running"));
        await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(marker) > 0);
        var res = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> processesWith(marker) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> job(id).getString("status").equals("stopped"));
        var alloc = allocations(id).getJsonObject(0);
        assertThat(alloc.getString("status")).isEqualTo("complete");
        assertThat(alloc.getString("reason")).isEqualTo("stopped by request");
        assertThat(alloc.getBoolean("stopRequested")).isTrue();
    }

    @Test
    @DisplayName("a task that ignores SIGTERM is killed after its kill timeout")
    void killTimeout() throws Exception {
        String marker = "berth-e2e-" + UUID.randomUUID();
        String id = submit("""
                {"name": "stubborn", "type": "service", "groups": [{"tasks": [{"image": "busybox", "killTimeout": "1s",
                  "command": ["sh", "-c", "trap '' TERM; sleep 300; echo %s"]}]}]}
                """.formatted(marker), "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> processesWith(marker) > 0);
        HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + id)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> processesWith(marker) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> allocations(id).getJsonObject(0).getString("status").equals("complete"));
        assertThat(allocations(id).getJsonObject(0).getInteger("signal")).isEqualTo(9);
    }

    @Test
    @DisplayName("following a log streams lines as they come and ends when the allocation ends")
    void followLogs() throws Exception {
        String id = submit("""
                {"name": "slow", "groups": [{"tasks": [{"image": "busybox", "command": ["sh", "-c", "echo one; sleep 1; echo two"]}]}]}
                """, "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> allocations(id).getJsonObject(0).getString("nodeId") != null);
        String allocId = allocations(id).getJsonObject(0).getString("id");
        var res = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/allocations/" + allocId + "/logs?follow=true"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.body()).isEqualTo("one\ntwo\n");
        assertThat(job(id).getString("status")).isEqualTo("complete");
    }

    @Test
    @DisplayName("a chatty task's log is rotated at the node's cap, and following it goes on past each rotation")
    void logRotation() throws Exception {
        String script = "i=0; while [ $i -lt 60 ]; do head -c 4000 /dev/zero | tr '\\0' x; echo \" $i\"; i=$((i+1)); sleep 0.05; done; echo end";
        var spec = new JsonObject().put("name", "chatty").put("groups", new JsonArray().add(new JsonObject().put("tasks", new JsonArray()
                .add(new JsonObject().put("image", "busybox").put("command", new JsonArray().add("sh").add("-c").add(script))))));
        String id = submit(spec.encode(), "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> allocations(id).getJsonObject(0).getString("nodeId") != null);
        String allocId = allocations(id).getJsonObject(0).getString("id");
        var followed = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/allocations/" + allocId + "/logs?follow=true"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(followed.body()).endsWith("end\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> job(id).getString("status").equals("complete"));
        Path dir = dataDir.resolve("allocs").resolve(allocId);
        assertThat(dir.resolve("stdout.log.1")).exists();
        for (String f : new String[] {"stdout.log", "stdout.log.1", "stdout.log.2"}) {
            if (Files.exists(dir.resolve(f))) assertThat(Files.size(dir.resolve(f))).as(f).isLessThan(64 * 1024 + 100_000);
        }
        assertThat(dir.resolve("stdout.log.3")).doesNotExist();
    }

    @Test
    @DisplayName("plan is a dry run with reasons; eligibility and drain keep new work off a node, and drain moves service work")
    void planEligibilityAndDrain() throws Exception {
        var plan = new JsonObject(post("/v1/jobs/plan", """
                {"name": "huge", "groups": [{"name": "g", "count": 2, "tasks": [{"image": "busybox", "resources": {"memory": "1Ti"}}]},
                                            {"name": "ok", "tasks": [{"image": "busybox", "command": ["true"]}]}]}
                """, "application/json").body());
        assertThat(plan.getInteger("placed")).isEqualTo(1);
        assertThat(plan.getInteger("unplaced")).isEqualTo(2);
        assertThat(plan.getJsonArray("groups").getJsonObject(0).getString("explain")).isEqualTo("insufficient memory on 1 node");
        assertThat(plan.getJsonArray("groups").getJsonObject(1).getJsonArray("nodes").getString(0)).isEqualTo("e2e-node");
        assertThat(new JsonArray(get("/v1/jobs").body()).stream().map(j -> ((JsonObject) j).getString("name"))).doesNotContain("huge");
        assertThat(post("/v1/jobs/plan", "{\"name\": \"x\"}", "application/json").statusCode()).isEqualTo(400);

        assertThat(post("/v1/nodes/e2e-node/eligibility", "{\"eligible\": false}", "application/json").statusCode()).isEqualTo(200);
        String held = submit("{\"name\": \"held\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"command\": [\"true\"]}]}]}", "application/json");
        await().atMost(Duration.ofSeconds(10)).until(() -> "no node can run it: node not eligible on 1 node".equals(allocations(held).getJsonObject(0).getString("reason")));
        var evaluation = new JsonObject(get("/v1/evaluations/" + job(held).getString("evaluationId")).body());
        assertThat(evaluation.getString("status")).isEqualTo("complete");
        assertThat(evaluation.getJsonObject("failures").getInteger("node not eligible")).isEqualTo(1);
        assertThat(get("/v1/evaluations/nope").statusCode()).isEqualTo(404);
        assertThat(post("/v1/nodes/e2e-node/eligibility", "{\"eligible\": \"yes\"}", "application/json").statusCode()).isEqualTo(400);
        post("/v1/nodes/e2e-node/eligibility", "{\"eligible\": true}", "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(held).getString("status").equals("complete"));

        String svc = submit("{\"name\": \"moving\", \"type\": \"service\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"killTimeout\": \"1s\", \"command\": [\"sleep\", \"300\"]}]}]}", "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(svc).getString("status").equals("running"));
        var drained = new JsonObject(post("/v1/nodes/e2e-node/drain", "{}", "application/json").body());
        assertThat(drained.getString("status")).isEqualTo("draining");
        assertThat(drained.getInteger("migrating")).isEqualTo(1);
        // the only node drains: the old allocation stops, its replacement waits for a node
        await().atMost(Duration.ofSeconds(20)).until(() -> allocations(svc).size() == 2
                && allocations(svc).stream().map(a -> ((JsonObject) a).getString("status")).toList().containsAll(List.of("complete", "pending")));
        post("/v1/nodes/e2e-node/drain", "{\"enable\": false}", "application/json");
        await().atMost(Duration.ofSeconds(20)).until(() -> job(svc).getString("status").equals("running"));
        HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/jobs/" + svc)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(20)).until(() -> job(svc).getString("status").equals("stopped"));
    }

    @Test
    @DisplayName("the CLI runs a job to completion, prints its log, and shows API errors in their words")
    void cli() throws Exception {
        Path spec = dataDir.resolve("cli-hello.yaml");
        Files.writeString(spec, """
                name: cli-hello
                groups:
                  - tasks:
                      - image: busybox
                        command: [echo, "hello from the cli"]
                """);
        var run = cli("job", "run", spec.toString());
        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out).contains("submitted", "complete: 1 of 1 allocations succeeded");
        String jobId = run.out.split("\\s+")[1];
        String allocId = allocations(jobId).getJsonObject(0).getString("id");
        var logs = cli("alloc", "logs", allocId);
        assertThat(logs.out).isEqualTo("hello from the cli\n");
        assertThat(cli("job", "status", jobId).out).contains("complete", allocId);
        assertThat(cli("job", "list").out).contains(jobId);
        assertThat(cli("node", "list").out).contains("e2e-node", "ready");

        var missing = cli("job", "status", "nope");
        assertThat(missing.code).isEqualTo(1);
        assertThat(missing.err.trim()).isEqualTo("berth: no job with id \"nope\" (HTTP 404)");

        Path bad = dataDir.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\ngroups: []\n");
        var invalid = cli("job", "run", bad.toString());
        assertThat(invalid.code).isEqualTo(1);
        assertThat(invalid.err).contains("refused (HTTP 400):", "\n  groups: must have at least one group");

        Path failing = dataDir.resolve("failing.json");
        Files.writeString(failing, "{\"name\": \"f\", \"groups\": [{\"restart\": {\"attempts\": 0}, \"tasks\": [{\"image\": \"busybox\", \"command\": [\"false\"]}]}]}");
        var failed = cli("job", "run", failing.toString());
        assertThat(failed.code).isEqualTo(1);
        assertThat(failed.out).contains("failed: 0 of 1 allocations succeeded");

        var unreachable = cli("--help");
        assertThat(unreachable.code).isZero();
        var down = cli("job", "list", "--address", "http://127.0.0.1:" + freePort());
        assertThat(down.code).isEqualTo(1);
        assertThat(down.err).contains("cannot reach the Berth API");
    }

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        boolean client = args.length > 0 && !args[0].startsWith("-") && !args[0].equals("image") && !String.join(" ", args).contains("--address");
        var full = Stream.concat(Stream.of(args), client ? Stream.of("--address", api) : Stream.<String>empty()).toArray(String[]::new);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    static String submit(String body, String type) throws Exception {
        var res = post("/v1/jobs", body, type);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        var created = new JsonObject(res.body());
        assertThat(created.getString("evaluationId")).isNotBlank();
        return created.getString("id");
    }

    static JsonObject job(String id) throws Exception {
        return new JsonObject(get("/v1/jobs/" + id).body());
    }

    static JsonArray allocations(String id) throws Exception {
        return new JsonArray(get("/v1/jobs/" + id + "/allocations").body());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body, String type) throws IOException, InterruptedException {
        var req = HttpRequest.newBuilder(URI.create(api + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (type != null) req.header("Content-Type", type);
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long processesWith(String marker) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker)).count();
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(12_000 + (int) (ProcessHandle.current().pid() % 400) * 10);

    /**
     * A port free now, below the kernel's ephemeral range (32768–60999 here): a port the kernel picks
     * for {@code bind(0)} may be taken meanwhile as the local port of an outgoing connection (Hazelcast,
     * Kafka), and two CI runs failed so with "Address already in use". Ports are handed out in turn
     * from 12000–16999 and checked free.
     */
    public static int freePort() throws IOException {
        for (int tries = 0; tries < 5_000; tries++) {
            int port = 12_000 + Math.floorMod(NEXT_PORT.getAndIncrement() - 12_000, 5_000);
            try (var s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new IOException("no free port in 12000–16999");
    }
}
