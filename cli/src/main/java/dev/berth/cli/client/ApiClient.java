package dev.berth.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The REST API as the CLI uses it. A failed call throws {@link ApiException} with the API's own words.
 * The address may list several members ({@code https://10.0.0.1:7070,https://10.0.0.2:7070}): a
 * call goes to the one that answered last and, when it cannot be reached, to the next; any member
 * serves every call, so a member restarting or down costs no call while another is up.
 */
public final class ApiClient {
    private final List<URI> members;
    private final String token;
    private final HttpClient http;
    private volatile int current;

    public ApiClient(String address) {
        this(address, null, null);
    }

    /**
     * @param address one member's URL, or several separated by commas
     * @param token   sent as {@code Authorization: Bearer}; null: none
     * @param tls     for https: whom to trust (and what to present); null: the JDK's defaults
     */
    public ApiClient(String address, String token, javax.net.ssl.SSLContext tls) {
        var list = new ArrayList<URI>();
        for (String one : address.split(",")) {
            String a = one.strip();
            if (a.isEmpty()) continue;
            if (a.endsWith("/")) a = a.substring(0, a.length() - 1);
            if (!a.startsWith("http://") && !a.startsWith("https://")) a = (tls != null ? "https://" : "http://") + a;
            list.add(URI.create(a));
        }
        if (list.isEmpty()) throw new IllegalArgumentException("--address: no API address given");
        this.members = List.copyOf(list);
        this.token = token == null || token.isBlank() ? null : token.strip();
        var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) builder.sslContext(tls);
        this.http = builder.build();
    }

    /** The member calls go to now. */
    public URI base() {
        return members.get(current);
    }

    public String get(String path) throws IOException {
        return send(base -> HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public String post(String path, String body, String contentType) throws IOException {
        return send(base -> HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A POST that may take long (a pull on a node), with a JSON body. */
    public String postSlow(String path, String json, Duration timeout) throws IOException {
        return send(base -> HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), timeout);
    }

    /** Streams a file as the body (an image tar to a node). */
    public String postFile(String path, java.nio.file.Path file, Duration timeout) throws IOException {
        try {
            return send(base -> {
                try {
                    return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-tar")
                            .POST(HttpRequest.BodyPublishers.ofFile(file));
                } catch (java.io.FileNotFoundException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, timeout);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether an API answers at any of the addresses at all (a refused connection: no). */
    public boolean reachable() {
        try {
            call(base -> HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(5)).GET(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            // something answers, but not in plain words: it is there; the real call will say what is wrong
            return e.getCause() instanceof javax.net.ssl.SSLException;
        }
    }

    public String put(String path, String json) throws IOException {
        return send(base -> HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public String delete(String path) throws IOException {
        return send(base -> HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** Opens a streaming GET (logs with follow); the caller reads and closes the stream. */
    public InputStream stream(String path) throws IOException {
        var res = call(base -> HttpRequest.newBuilder(base.resolve(path)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (res.statusCode() >= 400) {
            try (InputStream in = res.body()) {
                throw new ApiException(res.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return res.body();
    }

    private String send(Function<URI, HttpRequest.Builder> req) throws IOException {
        return send(req, Duration.ofSeconds(60));
    }

    private String send(Function<URI, HttpRequest.Builder> req, Duration timeout) throws IOException {
        var res = call(base -> req.apply(base).timeout(timeout), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 400) throw new ApiException(res.statusCode(), res.body());
        return res.body();
    }

    /**
     * Sends to the current member, and to the next ones while a member cannot be reached (refused
     * or no connection in time: the request never got there, so sending it again is safe).
     */
    private <T> HttpResponse<T> call(Function<URI, HttpRequest.Builder> req, HttpResponse.BodyHandler<T> handler) throws IOException {
        int first = current;
        IOException unreachable = null;
        for (int i = 0; i < members.size(); i++) {
            int m = (first + i) % members.size();
            URI base = members.get(m);
            var builder = req.apply(base);
            if (token != null) builder.header("Authorization", "Bearer " + token);
            try {
                var res = http.send(builder.build(), handler);
                current = m;
                return res;
            } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
                unreachable = new IOException("cannot reach the Berth API at " + (members.size() == 1 ? base : String.join(", ", members.stream().map(URI::toString).toList()))
                        + " (is `berth up` running? set --address or BERTH_ADDR)", e);
            } catch (javax.net.ssl.SSLException e) {
                throw new IOException("cannot speak TLS with the Berth API at " + base + ": " + e.getMessage()
                        + (base.getScheme().equals("http") ? " (is it https? use --address https://…)" : " (trusting its CA? --tls-ca FILE or BERTH_TLS_CA)"), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        throw unreachable;
    }
}
