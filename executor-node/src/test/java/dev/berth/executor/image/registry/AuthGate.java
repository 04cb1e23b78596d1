package dev.berth.executor.image.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authenticating front for the test registry, as public registries put before theirs: in
 * {@code bearer} mode a 401 with a token challenge and a token service that wants basic
 * credentials; in {@code basic} mode a plain basic challenge. Authorized requests go through to
 * the real registry.
 */
final class AuthGate implements AutoCloseable {
    static final String USER = "ci", PASSWORD = "s3cret", TOKEN = "token-for-ci";
    final AtomicInteger tokensIssued = new AtomicInteger();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    AuthGate(TestRegistry registry, boolean bearer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        server.createContext("/token", ex -> {
            if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            } else if (!"berth-test".equals(query(ex, "service")) || !String.valueOf(query(ex, "scope")).startsWith("repository:berth/test:pull")) {
                reply(ex, 400, "{\"error\":\"wrong service or scope\"}");
            } else {
                tokensIssued.incrementAndGet();
                reply(ex, 200, "{\"token\":\"" + TOKEN + "\"}");
            }
        });
        server.createContext("/v2/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean ok = bearer ? ("Bearer " + TOKEN).equals(auth) : basic.equals(auth);
            if (!ok) {
                ex.getResponseHeaders().add("WWW-Authenticate", bearer
                        ? "Bearer realm=\"http://127.0.0.1:" + port() + "/token\",service=\"berth-test\",scope=\"repository:berth/test:pull\""
                        : "Basic realm=\"berth-test\"");
                reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            try {
                var req = HttpRequest.newBuilder(URI.create(registry.address() + ex.getRequestURI()));
                for (String h : new String[] {"Accept", "Range"}) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) req.header(h, v);
                }
                var res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                res.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().add("Content-Type", v));
                ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
                if (res.body().length > 0) ex.getResponseBody().write(res.body());
                ex.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String host() {
        return "127.0.0.1:" + port();
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) return java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
