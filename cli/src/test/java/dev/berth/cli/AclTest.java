package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.client.ApiClient;
import dev.berth.cli.client.ApiException;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Tokens on two real scheduler members (Hazelcast, journal, API): every route the router has,
 * walked with no token, read, submit, operate and admin tokens; bootstrap once; revocation on
 * every member; hashes only on disk; the audit log.
 */
class AclTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Writes a read token may make: questions that change nothing. */
    static final Set<String> QUESTIONS = Set.of("POST /v1/capacity/fit");
    /** Routes open to all. */
    static final Set<String> OPEN = Set.of("GET /health", "POST /v1/acl/bootstrap");

    static Path dataDir;
    static final List<ClusterMember> members = new ArrayList<>();
    static final List<SchedulerVerticle> schedulers = new ArrayList<>();
    static String admin;

    @BeforeAll
    static void up() throws Exception {
        dataDir = Files.createTempDirectory("berth-acl-");
        String name = "berth-acl-" + UUID.randomUUID();
        int[] ports = {EndToEndTest.freePort(), EndToEndTest.freePort()};
        var configs = new ArrayList<SchedulerConfig>();
        var starts = new ArrayList<java.util.concurrent.CompletableFuture<ClusterMember>>();
        for (int i = 0; i < 2; i++) {
            var config = SchedulerConfig.defaults().with("port", 0, "clusterPort", ports[i], "busPort", 0, "executorPort", -1,
                    "join", List.of("127.0.0.1:" + ports[1 - i]), "dataDir", dataDir.resolve("m" + i), "clusterName", name, "acl", true);
            configs.add(config);
            // both at once: each binds its port before the other dials it
            starts.add(BerthCluster.start(config.cluster()).toCompletionStage().toCompletableFuture());
        }
        for (int i = 0; i < 2; i++) {
            var member = starts.get(i).get(90, TimeUnit.SECONDS);
            members.add(member);
            var s = new SchedulerVerticle(configs.get(i), member.hazelcast(), Clock.systemUTC());
            member.vertx().deployVerticle(s).await(60, TimeUnit.SECONDS);
            schedulers.add(s);
        }
        var first = send(0, "POST", "/v1/acl/bootstrap", null, "");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        admin = new JsonObject(first.body()).getString("secret");
    }

    @AfterAll
    static void down() throws Exception {
        for (ClusterMember m : members.reversed()) m.close().await(30, TimeUnit.SECONDS);
        TestDirs.delete(dataDir);
    }

    static HttpResponse<String> send(int member, String method, String path, String token, String body) throws Exception {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + schedulers.get(member).port() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) req.header("Authorization", "Bearer " + token);
        // an event stream never ends by itself: take its status and headers, then hang up
        var streams = new ArrayList<java.io.InputStream>();
        var res = HTTP.send(req.build(), info -> info.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")
                ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(), in -> {
                    streams.add(in);
                    return "(an event stream)";
                })
                : HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8));
        for (var in : streams) in.close();
        return res;
    }

    static String token(String name, String policy) throws Exception {
        var r = send(0, "POST", "/v1/acl/tokens", admin, new JsonObject().put("name", name).put("policy", policy).encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body()).getString("secret");
    }

    /** Every route of the router, as "METHOD /path" with its parameters filled in. */
    static List<String> routes() {
        var out = new ArrayList<String>();
        for (var route : schedulers.getFirst().router().getRoutes()) {
            if (route.getPath() == null || route.methods() == null) continue;
            for (HttpMethod m : route.methods()) out.add(m.name() + " " + route.getPath().replaceAll(":[A-Za-z]+", "x"));
        }
        return out;
    }

    @Test
    @DisplayName("every route: no token 401 (but health and bootstrap), read 403 on every write but questions, submit jobs only, operate nodes, admin all")
    void everyRouteEveryPolicy() throws Exception {
        var routes = routes();
        assertThat(routes).as("the walk covers the routes the API has").contains("POST /v1/jobs", "DELETE /v1/jobs/x", "POST /v1/nodes/x/drain",
                "GET /metrics", "POST /v1/acl/tokens", "DELETE /v1/acl/tokens/x", "POST /v1/nodes/x/images").hasSizeGreaterThan(25);
        String read = token("walk-read", "read"), submit = token("walk-submit", "submit"), operate = token("walk-operate", "operate");
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' ')), path = route.substring(route.indexOf(' ') + 1);
            // the web UI's files hold no data: open to all, as / (which leads there)
            boolean open = OPEN.contains(route) || route.equals("GET /") || route.startsWith("GET /ui"), get = method.equals("GET");
            var none = send(0, method, path, null, "");
            if (open) assertThat(none.statusCode()).as(route + " is open: " + none.body()).isNotIn(401, 403);
            else {
                assertThat(none.statusCode()).as(route + " without a token").isEqualTo(401);
                assertThat(new JsonObject(none.body()).getString("error")).as(route).contains("needs a token");
            }
            var bad = send(0, method, path, "berth_not-a-token", "");
            if (!open) assertThat(bad.statusCode()).as(route + " with a made-up token").isEqualTo(401);

            var asRead = send(0, method, path, read, "");
            boolean readMay = open || (get && !path.equals("/v1/acl/tokens")) || QUESTIONS.contains(route);
            expect(route, "read", asRead, readMay);
            boolean job = path.startsWith("/v1/jobs");
            boolean node = path.startsWith("/v1/nodes") || path.startsWith("/v1/queues");
            expect(route, "submit", send(0, method, path, submit, ""), readMay || job);
            expect(route, "operate", send(0, method, path, operate, ""), readMay || job || node);
            expect(route, "admin", send(0, method, path, admin, ""), true);
        }
    }

    static void expect(String route, String policy, HttpResponse<String> r, boolean allowed) {
        if (allowed) {
            assertThat(r.statusCode()).as(route + " with a " + policy + " token: " + r.body()).isNotIn(401, 403);
        } else {
            assertThat(r.statusCode()).as(route + " with a " + policy + " token").isEqualTo(403);
            assertThat(new JsonObject(r.body()).getString("error")).as(route).contains("has policy " + policy).contains("needs");
        }
    }

    @Test
    @DisplayName("bootstrap works once; a token made on one member works on the other, and a revoked one stops on both")
    void bootstrapOnceAndRevokeEverywhere() throws Exception {
        var again = send(1, "POST", "/v1/acl/bootstrap", null, "");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("bootstrapped already");

        var made = new JsonObject(send(0, "POST", "/v1/acl/tokens", admin, "{\"name\": \"ci\", \"policy\": \"submit\"}").body());
        String secret = made.getString("secret");
        await().atMost(Duration.ofSeconds(10)).until(() -> send(1, "GET", "/v1/acl/token/self", secret, "").statusCode() == 200);
        assertThat(new JsonObject(send(1, "GET", "/v1/acl/token/self", secret, "").body()).getString("name")).isEqualTo("ci");

        var api = new ApiClient("http://127.0.0.1:" + schedulers.get(1).port(), admin, null);
        assertThat(api.get("/v1/acl/tokens")).contains(made.getString("accessor")).doesNotContain(secret).doesNotContain("secretHash");
        api.delete("/v1/acl/tokens/" + made.getString("accessor"));
        for (int m = 0; m < 2; m++) {
            int member = m;
            await().atMost(Duration.ofSeconds(10)).until(() -> send(member, "GET", "/v1/jobs", secret, "").statusCode() == 401);
        }
        assertThat(send(0, "GET", "/v1/jobs", secret, "").body()).contains("not valid");
        assertThatThrownBy(() -> api.delete("/v1/acl/tokens/" + made.getString("accessor"))).isInstanceOf(ApiException.class).hasMessageContaining("404");
    }

    @Test
    @DisplayName("bad token requests name the field; the CLI sends --token and prints the refusal")
    void badInputAndCli() throws Exception {
        var r = send(0, "POST", "/v1/acl/tokens", admin, "{\"name\": \"\", \"policy\": \"root\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"path\":\"name\"").contains("\"path\":\"policy\"").contains("not one of read, submit, operate, admin");

        String address = "http://127.0.0.1:" + schedulers.getFirst().port();
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        int code = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "acl", "token", "create", "--name", "cli-made",
                "--policy", "read", "--address", address, "--token", admin);
        assertThat(code).as(err.toString()).isZero();
        String secret = out.toString().lines().filter(l -> l.startsWith("Secret")).findFirst().orElseThrow().split("\\s+")[1];
        out.getBuffer().setLength(0);
        code = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "job", "stop", "nothing", "--address", address, "--token", secret);
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("berth: token \"cli-made\" has policy read").contains("needs submit").contains("(HTTP 403)");
        code = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "acl", "token", "list", "--address", address, "--token", admin);
        assertThat(code).isZero();
        assertThat(out.toString()).contains("cli-made").contains("read").doesNotContain(secret);
    }

    @Test
    @DisplayName("secrets are never stored: the journal and the maps hold hashes; every write is in the audit log with who and the outcome")
    void hashedAndAudited() throws Exception {
        String secret = token("audited", "submit");
        assertThat(send(0, "POST", "/v1/jobs", secret, "{}").statusCode()).isEqualTo(400);
        assertThat(send(0, "POST", "/v1/jobs", null, "{}").statusCode()).isEqualTo(401);
        Path journal = dataDir.resolve("m1/scheduler/journal.jsonl");
        String hash = dev.berth.model.codec.Json.mapper().readTree(members.getFirst().hazelcast().getMap("berth.acl.tokens").values().stream()
                .map(Object::toString).filter(v -> v.contains("\"audited\"")).findFirst().orElseThrow()).path("secretHash").asText();
        assertThat(hash).hasSize(64);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(journal) && Files.readString(journal).contains(hash));
        for (Path f : allFiles(dataDir)) assertThat(Files.readString(f)).as(f.toString()).doesNotContain(secret).doesNotContain(admin);
        assertThat(members.getFirst().hazelcast().getMap("berth.acl.tokens").values().toString()).doesNotContain(secret);

        Path audit = dataDir.resolve("m0/scheduler/audit.jsonl");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(audit)
                && Files.readString(audit).contains("\"token\":\"anonymous\",\"method\":\"POST\",\"path\":\"/v1/jobs\""));
        var lines = Files.readAllLines(audit).stream().map(JsonObject::new).toList();
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.getString("token")).isEqualTo("audited");
            assertThat(l.getString("path")).isEqualTo("/v1/jobs");
            assertThat(l.getInteger("status")).isEqualTo(400);
            assertThat(l.getString("time")).isNotBlank();
            assertThat(l.getString("accessor")).hasSize(16);
        });
        assertThat(lines).anySatisfy(l -> assertThat(l.getString("token") + " " + l.getInteger("status")).isEqualTo("anonymous 401"));
        assertThat(lines).as("reads are not audited").noneSatisfy(l -> assertThat(l.getString("method")).isEqualTo("GET"));
        assertThat(Files.readString(audit)).doesNotContain(secret);
    }

    static List<Path> allFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
