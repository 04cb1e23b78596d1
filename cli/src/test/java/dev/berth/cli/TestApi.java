package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A running Berth's API as the tests on one node use it: plain HTTP calls, the CLI against it, and waits on jobs. */
final class TestApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    final String base;

    TestApi(String base) {
        this.base = base;
    }

    record Result(int code, String out, String err) {
    }

    /** The CLI, in this JVM, against this API. */
    Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var full = java.util.stream.Stream.concat(java.util.stream.Stream.of(args), java.util.stream.Stream.of("--address", base)).toArray(String[]::new);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    void awaitStatus(String id, String status, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).until(() -> job(id).getString("status").equals(status));
    }

    /** Submits a job spec (JSON) and returns its id; anything but 201 fails the test with the API's answer. */
    String submit(String json) throws Exception {
        var res = post("/v1/jobs", json);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return new JsonObject(res.body()).getString("id");
    }

    JsonObject job(String id) throws Exception {
        return new JsonObject(get("/v1/jobs/" + id).body());
    }

    List<JsonObject> allocations(String id) throws Exception {
        var arr = new JsonArray(get("/v1/jobs/" + id + "/allocations").body());
        var out = new ArrayList<JsonObject>();
        for (int i = 0; i < arr.size(); i++) out.add(arr.getJsonObject(i));
        return out;
    }

    long count(String job, String status) throws Exception {
        return allocations(job).stream().filter(x -> x.getString("status").equals(status)).count();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return send(path, "POST", json);
    }

    HttpResponse<String> put(String path, String json) throws Exception {
        return send(path, "PUT", json);
    }

    HttpResponse<String> delete(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String path, String method, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
