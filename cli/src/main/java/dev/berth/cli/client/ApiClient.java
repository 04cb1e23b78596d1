package dev.berth.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The REST API as the CLI uses it. A failed call throws {@link ApiException} with the API's own words. */
public final class ApiClient {
    private final URI base;
    private final String token;
    private final HttpClient http;

    public ApiClient(String address) {
        this(address, null, null);
    }

    /**
     * @param token sent as {@code Authorization: Bearer}; null: none
     * @param tls   for https: whom to trust (and what to present); null: the JDK's defaults
     */
    public ApiClient(String address, String token, javax.net.ssl.SSLContext tls) {
        String a = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        if (!a.startsWith("http://") && !a.startsWith("https://")) a = (tls != null ? "https://" : "http://") + a;
        this.base = URI.create(a);
        this.token = token == null || token.isBlank() ? null : token.strip();
        var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) builder.sslContext(tls);
        this.http = builder.build();
    }

    public URI base() {
        return base;
    }

    public String get(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public String post(String path, String body, String contentType) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A POST that may take long (a pull on a node), with a JSON body. */
    public String postSlow(String path, String json, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), timeout);
    }

    /** Streams a file as the body (an image tar to a node). */
    public String postFile(String path, java.nio.file.Path file, Duration timeout) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofFile(file)), timeout);
    }

    /** Whether an API answers at this address at all (a refused connection: no). */
    public boolean reachable() {
        try {
            call(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(5)).GET(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            // something answers, but not in plain words: it is there; the real call will say what is wrong
            return e.getCause() instanceof javax.net.ssl.SSLException;
        }
    }

    public String put(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public String delete(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    /** Opens a streaming GET (logs with follow); the caller reads and closes the stream. */
    public InputStream stream(String path) throws IOException {
        var res = call(HttpRequest.newBuilder(base.resolve(path)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (res.statusCode() >= 400) {
            try (InputStream in = res.body()) {
                throw new ApiException(res.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return res.body();
    }

    private String send(HttpRequest.Builder req) throws IOException {
        return send(req, Duration.ofSeconds(60));
    }

    private String send(HttpRequest.Builder req, Duration timeout) throws IOException {
        var res = call(req.timeout(timeout), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 400) throw new ApiException(res.statusCode(), res.body());
        return res.body();
    }

    private <T> HttpResponse<T> call(HttpRequest.Builder req, HttpResponse.BodyHandler<T> handler) throws IOException {
        if (token != null) req.header("Authorization", "Bearer " + token);
        try {
            return http.send(req.build(), handler);
        } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
            throw new IOException("cannot reach the Berth API at " + base + " (is `berth up` running? set --address or BERTH_ADDR)", e);
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("cannot speak TLS with the Berth API at " + base + ": " + e.getMessage()
                    + (base.getScheme().equals("http") ? " (is it https? use --address https://…)" : " (trusting its CA? --tls-ca FILE or BERTH_TLS_CA)"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
