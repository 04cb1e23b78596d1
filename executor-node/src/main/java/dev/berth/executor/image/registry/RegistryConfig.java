package dev.berth.executor.image.registry;

import dev.berth.model.image.ImageRef;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.codec.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node's registry settings, from a JSON or YAML file:
 * <pre>
 * mirrors:            # tried in order before the registry itself
 *   docker.io: ["https://mirror.example"]
 * insecure: ["127.0.0.1:5000"]    # spoken to over plain http
 * auth:
 *   registry.example:5000: {username: ci, password: secret}
 * </pre>
 */
public record RegistryConfig(Map<String, List<String>> mirrors, Set<String> insecure, Map<String, Credentials> auth) {
    public static final RegistryConfig NONE = new RegistryConfig(Map.of(), Set.of(), Map.of());

    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return username + ":***";
        }
    }

    public RegistryConfig {
        mirrors = Map.copyOf(mirrors);
        insecure = Set.copyOf(insecure);
        auth = Map.copyOf(auth);
    }

    /** Reads the file; every problem names its field. */
    public static RegistryConfig read(Path file) throws IOException {
        JsonNode root = (file.toString().endsWith(".json") ? Json.mapper() : Json.yaml()).readTree(file.toFile());
        if (root == null || !root.isObject()) throw new IOException(file + ": expected an object with mirrors, insecure, auth");
        var problems = new ArrayList<String>();
        root.fieldNames().forEachRemaining(f -> {
            if (!Set.of("mirrors", "insecure", "auth").contains(f)) problems.add(f + ": unknown field (mirrors, insecure, auth)");
        });
        var mirrors = new LinkedHashMap<String, List<String>>();
        root.path("mirrors").fields().forEachRemaining(e -> {
            var urls = new ArrayList<String>();
            e.getValue().forEach(u -> {
                if (!u.asText().matches("https?://[^/]+/?")) problems.add("mirrors." + e.getKey() + ": \"" + u.asText() + "\" is not http(s)://host[:port]");
                urls.add(u.asText().replaceAll("/$", ""));
            });
            mirrors.put(e.getKey(), urls);
        });
        var insecure = new TreeSet<String>();
        root.path("insecure").forEach(h -> insecure.add(h.asText()));
        var auth = new LinkedHashMap<String, Credentials>();
        root.path("auth").fields().forEachRemaining(e -> {
            String u = e.getValue().path("username").asText(null), p = e.getValue().path("password").asText(null);
            if (u == null || p == null) problems.add("auth." + e.getKey() + ": needs username and password");
            else auth.put(e.getKey(), new Credentials(u, p));
        });
        if (!problems.isEmpty()) throw new IOException(file + ": " + String.join("; ", problems));
        return new RegistryConfig(mirrors, insecure, auth);
    }

    /** Base URLs to try for a registry: its mirrors, then itself (Docker Hub's API lives at registry-1.docker.io). */
    public List<String> endpoints(String registry) {
        var out = new ArrayList<>(mirrors.getOrDefault(registry, List.of()));
        String host = registry.equals(ImageRef.DOCKER_HUB) ? "registry-1.docker.io" : registry;
        out.add((plainHttp(registry) ? "http://" : "https://") + host);
        return out;
    }

    /**
     * Listed as insecure, or on this machine's loopback ({@code localhost}, {@code 127.0.0.0/8},
     * {@code [::1]}), which Docker and containerd also speak plain http to without being told.
     */
    public boolean plainHttp(String registry) {
        if (insecure.contains(registry)) return true;
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
    }

    /** This config with {@code registry} spoken to over plain http as well (a one-off {@code --insecure}). */
    public RegistryConfig withInsecure(String registry) {
        var more = new TreeSet<>(insecure);
        more.add(registry);
        return new RegistryConfig(mirrors, more, auth);
    }
}
