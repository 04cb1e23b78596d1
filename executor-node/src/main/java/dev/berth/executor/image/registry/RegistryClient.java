package dev.berth.executor.image.registry;

import dev.berth.model.image.ImageRef;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.codec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API (v2): manifests (OCI and Docker schema 2), image indexes
 * resolved to one platform, and blobs streamed to disk and checked against their digests. Auth:
 * anonymous, basic, and the bearer-token challenge that public registries answer a 401 with.
 * Mirrors are tried first, then the registry itself.
 */
public final class RegistryClient {
    static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final RegistryConfig config;
    private final String os, architecture;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Authorization header values by endpoint and repository, once a challenge was answered. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    public RegistryClient(RegistryConfig config) {
        this(config, "linux", "amd64");
    }

    public RegistryClient(RegistryConfig config, String os, String architecture) {
        this.config = config;
        this.os = os;
        this.architecture = architecture;
    }

    /** A layer or config as the manifest lists it. */
    public record Descriptor(String mediaType, String digest, long size) {
    }

    /** An image manifest for this node's platform, with where it was found. */
    public record Resolved(String endpoint, String manifestDigest, Descriptor config, List<Descriptor> layers) {
    }

    /** Finds the image's manifest (through an index if need be) on the first endpoint that has it. */
    public Resolved resolve(ImageRef ref) throws IOException {
        var failures = new ArrayList<String>();
        for (String endpoint : config.endpoints(ref.registry())) {
            try {
                return resolveAt(endpoint, ref);
            } catch (NotFound | Unreachable e) {
                failures.add(endpoint + ": " + e.getMessage());
            }
        }
        throw new IOException("cannot pull " + ref + ": " + String.join("; ", failures));
    }

    private Resolved resolveAt(String endpoint, ImageRef ref) throws IOException {
        Fetched m = manifest(endpoint, ref, ref.reference());
        if (ref.digest() != null && !ref.digest().equals(m.digest)) {
            throw new IOException("manifest of " + ref + " has digest " + m.digest + ", not the one asked for; refusing it");
        }
        JsonNode json = m.json;
        String digest = m.digest;
        if (json.has("manifests")) {
            JsonNode pick = null;
            var seen = new ArrayList<String>();
            for (JsonNode d : json.path("manifests")) {
                String p = d.path("platform").path("os").asText() + "/" + d.path("platform").path("architecture").asText();
                seen.add(p);
                if (pick == null && p.equals(os + "/" + architecture)) pick = d;
            }
            if (pick == null) throw new NotFound("no " + os + "/" + architecture + " image in the index (it has " + String.join(", ", seen) + ")");
            digest = pick.path("digest").asText();
            Fetched inner = manifest(endpoint, ref, digest);
            if (!digest.equals(inner.digest)) throw new IOException("manifest " + digest + " of " + ref + " does not match its digest; refusing it");
            json = inner.json;
        }
        var layers = new ArrayList<Descriptor>();
        for (JsonNode l : json.path("layers")) layers.add(descriptor(l));
        if (!json.has("config")) throw new IOException("manifest of " + ref + " has no config (schema 1 manifests are not supported)");
        return new Resolved(endpoint, digest, descriptor(json.path("config")), layers);
    }

    private static Descriptor descriptor(JsonNode d) {
        return new Descriptor(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong());
    }

    private record Fetched(String digest, JsonNode json) {
    }

    private Fetched manifest(String endpoint, ImageRef ref, String reference) throws IOException {
        var res = send(endpoint, ref, "/manifests/" + reference, HttpRequest.newBuilder().header("Accept", ACCEPT), HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() == 404) throw new NotFound("no image " + ref.repository() + ":" + reference + " there (404)");
        if (res.statusCode() != 200) throw new IOException("manifest of " + ref + " from " + endpoint + ": HTTP " + res.statusCode() + " " + snippet(res.body()));
        return new Fetched(sha256(res.body()), Json.mapper().readTree(res.body()));
    }

    /** A small JSON blob (the image config), verified. */
    public JsonNode json(Resolved where, ImageRef ref, Descriptor d) throws IOException {
        var res = send(where.endpoint(), ref, "/blobs/" + d.digest(), HttpRequest.newBuilder(), HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() != 200) throw new IOException("blob " + d.digest() + " of " + ref + ": HTTP " + res.statusCode());
        String got = sha256(res.body());
        if (!got.equals(d.digest())) throw new IOException("blob " + d.digest() + " of " + ref + " does not match its digest (got " + got + "); refusing it");
        return Json.mapper().readTree(res.body());
    }

    /**
     * Streams a blob into {@code file}, going on from what an interrupted pull left there when the
     * registry serves ranges (else starting over), and checks it against its digest; a mismatch
     * removes the file and fails. {@code progress} gets each chunk's size.
     */
    public void download(Resolved where, ImageRef ref, Descriptor d, Path file, LongConsumer progress) throws IOException {
        long have = Files.exists(file) ? Files.size(file) : 0;
        if (have > d.size()) {
            Files.delete(file);
            have = 0;
        }
        var builder = HttpRequest.newBuilder();
        if (have > 0) builder.header("Range", "bytes=" + have + "-");
        var res = send(where.endpoint(), ref, "/blobs/" + d.digest(), builder, HttpResponse.BodyHandlers.ofInputStream());
        boolean append = res.statusCode() == 206;
        if (res.statusCode() != 200 && !append) {
            res.body().close();
            throw new IOException("blob " + d.digest() + " of " + ref + ": HTTP " + res.statusCode());
        }
        if (append) progress.accept(have);
        try (InputStream in = res.body();
             OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                progress.accept(n);
            }
        }
        String got = dev.berth.executor.image.ImageStore.digestOf(file);
        if (!got.equals(d.digest())) {
            Files.deleteIfExists(file);
            throw new DigestMismatch("blob " + d.digest() + " of " + ref + " does not match its digest (got " + got + "); refusing it");
        }
    }

    /** One request, answering an auth challenge once; connection failures become {@link Unreachable}. */
    private <T> HttpResponse<T> send(String endpoint, ImageRef ref, String path, HttpRequest.Builder builder, HttpResponse.BodyHandler<T> body)
            throws IOException {
        URI uri = URI.create(endpoint + "/v2/" + ref.repository() + path);
        String key = endpoint + " " + ref.repository();
        try {
            String auth = authorizations.get(key);
            var req = builder.copy().uri(uri).timeout(Duration.ofMinutes(10)).GET();
            if (auth != null) req.header("Authorization", auth);
            HttpResponse<T> res = http.send(req.build(), body);
            if (res.statusCode() != 401) return res;
            close(res);
            String challenge = res.headers().firstValue("WWW-Authenticate").orElse("");
            String answer = answer(challenge, endpoint, ref);
            authorizations.put(key, answer);
            return http.send(builder.copy().uri(uri).timeout(Duration.ofMinutes(10)).GET().header("Authorization", answer).build(), body);
        } catch (ConnectException | HttpTimeoutException e) {
            throw new Unreachable("cannot reach the registry (" + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")");
        } catch (javax.net.ssl.SSLException e) {
            throw new Unreachable("TLS with " + endpoint + " failed (" + e.getMessage() + "); a registry that speaks plain http must be listed under insecure in the node's registry config");
        } catch (NotFound | Unreachable | DigestMismatch | AuthFailed e) {
            throw e;
        } catch (IOException e) {
            throw new Unreachable("talking to the registry failed (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void close(HttpResponse<?> res) throws IOException {
        if (res.body() instanceof InputStream in) in.close();
    }

    /** The Authorization header that answers a 401's challenge: basic credentials, or a bearer token fetched from the realm. */
    private String answer(String challenge, String endpoint, ImageRef ref) throws IOException, InterruptedException {
        RegistryConfig.Credentials creds = config.auth().get(ref.registry());
        String basic = creds == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((creds.username() + ":" + creds.password()).getBytes(StandardCharsets.UTF_8));
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            if (basic == null) throw new AuthFailed(ref.registry() + " asks for credentials: add them under auth in the node's registry config");
            return basic;
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) throw new AuthFailed(endpoint + " answered 401 with an unknown challenge \"" + challenge + "\"");
        var params = new java.util.HashMap<String, String>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) params.put(m.group(1), m.group(2));
        String realm = params.get("realm");
        if (realm == null) throw new AuthFailed(endpoint + " answered 401 with a bearer challenge without realm");
        String scope = params.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        var url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        if (params.containsKey("service")) url.append("&service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
        var req = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        if (basic != null) req.header("Authorization", basic);
        var res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() != 200) throw new AuthFailed("token service " + realm + " refused (HTTP " + res.statusCode() + "): " + snippet(res.body()));
        JsonNode token = Json.mapper().readTree(res.body());
        String t = token.path("token").asText(token.path("access_token").asText(""));
        if (t.isEmpty()) throw new AuthFailed("token service " + realm + " gave no token");
        return "Bearer " + t;
    }

    private static String snippet(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8).strip();
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A blob whose bytes do not hash to its digest (the file is gone already). */
    public static final class DigestMismatch extends IOException {
        DigestMismatch(String message) {
            super(message);
        }
    }

    /** The registry wants credentials the node does not have, or refused them. */
    static final class AuthFailed extends IOException {
        AuthFailed(String message) {
            super(message);
        }
    }

    /** The endpoint does not have it: the next one may. */
    static final class NotFound extends IOException {
        NotFound(String message) {
            super(message);
        }
    }

    /** The endpoint cannot be reached: the next one may be. */
    static final class Unreachable extends IOException {
        Unreachable(String message) {
            super(message);
        }
    }
}
