package dev.berth.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The deployed cluster's API as a client with every member's address uses it: a request goes to
 * one member and, when that member does not answer (refused, timed out, 5xx), to the next. A
 * request fails only when no member answers.
 */
final class ClusterApi {
    private final List<URI> members;
    private final String token;
    private final HttpClient http;
    private final AtomicInteger next = new AtomicInteger();

    ClusterApi(List<String> addresses, Path ca, String token) throws IOException {
        this.members = addresses.stream().map(a -> URI.create("https://" + a + ":7070")).toList();
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .sslContext(dev.berth.model.config.PemTls.context(ca, null, null)).build();
    }

    /** An answer and how many members were tried before one gave it. */
    record Answer(int status, String body, int failovers) {
    }

    String get(String path) throws IOException {
        return ok("GET", path, send("GET", path, null));
    }

    String post(String path, String json) throws IOException {
        return ok("POST", path, send("POST", path, json));
    }

    private static String ok(String method, String path, Answer a) throws IOException {
        if (a.status() >= 400) throw new IOException(method + " " + path + ": HTTP " + a.status() + " " + a.body());
        return a.body();
    }

    /** Starts at the next member in turn, so that every member serves some of the requests. */
    Answer send(String method, String path, String json) throws IOException {
        int start = Math.floorMod(next.getAndIncrement(), members.size());
        IOException last = null;
        for (int i = 0; i < members.size(); i++) {
            URI base = members.get((start + i) % members.size());
            var req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
            req = json == null ? req.method(method, HttpRequest.BodyPublishers.noBody())
                    : req.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
            try {
                var res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() < 500) return new Answer(res.statusCode(), res.body(), i);
                last = new IOException(base + ": HTTP " + res.statusCode() + " " + res.body());
            } catch (IOException e) {
                last = new IOException(base + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw new IOException("no member answered " + method + " " + path + "; the last: " + last.getMessage(), last);
    }

    /** Reads {@code GET /v1/jobs} every 200 ms until stopped, counting requests no member answered. */
    final class Probe {
        final AtomicInteger total = new AtomicInteger(), unanswered = new AtomicInteger(), failovers = new AtomicInteger();
        final java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = Thread.ofPlatform().name("deploy-api-probe").daemon(true).start(this::loop);

        private void loop() {
            while (running.get()) {
                total.incrementAndGet();
                try {
                    var a = send("GET", "/v1/jobs", null);
                    if (a.status() != 200) throw new IOException("HTTP " + a.status() + " " + a.body());
                    failovers.addAndGet(a.failovers());
                } catch (IOException e) {
                    unanswered.incrementAndGet();
                    failures.add(java.time.Instant.now() + " " + e.getMessage());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        @Override
        public String toString() {
            return unanswered + " of " + total + " requests unanswered (" + failovers + " answered by the next member)";
        }
    }

    Probe probe() {
        return new Probe();
    }
}
