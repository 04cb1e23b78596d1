package dev.berth.executor.image.registry;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's docker-registry (the CNCF distribution server) on a free loopback port with its storage
 * in a temp dir, and skopeo to push OCI layouts into it. `./berth test` installs both; a missing one
 * fails here with how to get it, never skips.
 */
public final class TestRegistry implements AutoCloseable {
    public final Path dir;
    public final int port;
    private final Process process;

    public TestRegistry() throws Exception {
        for (String tool : List.of("/usr/bin/docker-registry", "/usr/bin/skopeo")) {
            if (!Files.isExecutable(Path.of(tool))) throw new IllegalStateException(tool + " is missing: apt-get install docker-registry skopeo (./berth test does)");
        }
        dir = Files.createTempDirectory("berth-registry-");
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log: {level: error}
                storage:
                  filesystem: {rootdirectory: %s}
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("storage"), port));
        process = new ProcessBuilder("/usr/bin/docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        var http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                var res = http.send(HttpRequest.newBuilder(URI.create(address() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() == 200) break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    close();
                    throw new IllegalStateException("docker-registry did not come up: " + Files.readString(dir.resolve("registry.log")));
                }
            }
            Thread.sleep(50);
        }
    }

    public String address() {
        return "http://127.0.0.1:" + port;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Pushes tag {@code tag} of the OCI layout {@code layout} as {@code repo:tag}; {@code all} pushes every image of an index. */
    public void push(Path layout, String tag, String repo, boolean all) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of("/usr/bin/skopeo", "copy", "--quiet", "--dest-tls-verify=false"));
        if (all) cmd.add("--all");
        cmd.addAll(List.of("oci:" + layout + ":" + tag, "docker://" + host() + "/" + repo + ":" + tag));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }

    /** The file the registry serves blob {@code digest} from. */
    public Path blobFile(String digest) {
        String hex = digest.substring(7);
        return dir.resolve("storage/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
