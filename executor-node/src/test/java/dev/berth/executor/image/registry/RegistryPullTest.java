package dev.berth.executor.image.registry;

import dev.berth.model.image.ImageRef;

import static dev.berth.executor.image.registry.OciLayout.files;
import static dev.berth.executor.image.registry.OciLayout.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.TestImages;
import dev.berth.executor.Trees;
import dev.berth.executor.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pulls from a real registry (Debian's docker-registry on loopback) images that the test builds and
 * pushes with skopeo: three layers (gzip and zstd, a whiteout and an opaque dir), a multi-platform
 * index, a corrupted blob, a layer escaping with ../.
 */
class RegistryPullTest {
    static TestRegistry registry;
    static Path work;
    static OciLayout layout;
    static OciLayout.Layer base, extra, changes;
    static RegistryClient client;

    @BeforeAll
    static void push() throws Exception {
        registry = new TestRegistry();
        work = Files.createTempDirectory("berth-pull-");
        layout = new OciLayout(work.resolve("layout"));
        base = layout.layer(Files.readAllBytes(TestImages.busyboxTar(work)), false);
        extra = layout.layer(tar(files("etc/gone", "to be whited out\n", "opt/old/", null, "opt/old/a", "a\n", "opt/old/b", "b\n")), false);
        changes = layout.layer(tar(files("etc/.wh.gone", "", "opt/old/", null, "opt/old/.wh..wh..opq", "", "opt/old/c", "c\n",
                "data/hello.txt", "hello from a registry\n")), true);
        var amd64 = layout.image(List.of(base, extra, changes), "amd64", List.of("sh"));
        layout.tag(amd64, "v1");
        layout.tag(layout.image(List.of(base), "amd64", List.of("true")), "small");
        var arm64 = layout.image(List.of(base, extra), "arm64", List.of("false"));
        layout.tag(layout.indexOf(List.of(arm64, amd64)), "multi");
        var escape = layout.layer(tar(files("../escaped-" + ProcessHandle.current().pid(), "out\n")), false);
        layout.tag(layout.image(List.of(base, escape), "amd64", List.of("sh")), "escape");
        registry.push(layout.dir, "v1", "berth/test", false);
        registry.push(layout.dir, "small", "berth/test", false);
        registry.push(layout.dir, "multi", "berth/test", true);
        registry.push(layout.dir, "escape", "berth/test", false);
        client = new RegistryClient(new RegistryConfig(java.util.Map.of(), Set.of(registry.host()), java.util.Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) registry.close();
        Trees.delete(work);
    }

    private static ImageStore freshStore() throws IOException {
        return new ImageStore(Files.createTempDirectory(work, "store-"));
    }

    @Test
    @DisplayName("three layers (gzip, zstd) are pulled, verified and unpacked; whiteouts and opaque dirs become overlayfs's")
    void pullMultiLayer() throws Exception {
        var store = freshStore();
        var done = Collections.synchronizedList(new ArrayList<String>());
        var image = store.pull(registry.host() + "/berth/test:v1", client, new ImageStore.PullListener() {
            @Override
            public void layerDone(String digest, boolean cached) {
                done.add(digest + (cached ? " cached" : ""));
            }
        });
        assertThat(image.name()).isEqualTo(registry.host() + "/berth/test:v1");
        assertThat(image.layers()).containsExactly(base.digest(), extra.digest(), changes.digest());
        assertThat(done).containsExactly(base.digest(), extra.digest(), changes.digest());
        assertThat(image.config().cmd()).containsExactly("sh");
        Path top = store.layerDir(changes.digest());
        assertThat(Files.readString(top.resolve("data/hello.txt"))).isEqualTo("hello from a registry\n");
        assertThat(Files.getAttribute(top.resolve("etc/gone"), "unix:mode")).satisfies(m -> assertThat(((int) m) & 0170000).isEqualTo(0020000));
        assertThat(Files.getAttribute(top.resolve("etc/gone"), "unix:rdev")).isEqualTo(0L);
        // what the opaque dir and the whiteout hide is checked from inside a container: container.PulledImageTest
    }

    @Test
    @DisplayName("a layer another image has is not fetched again; two pulls of one image at once fetch each layer once")
    void sharedAndConcurrent() throws Exception {
        var store = freshStore();
        var fetched = Collections.synchronizedList(new ArrayList<String>());
        ImageStore.PullListener count = new ImageStore.PullListener() {
            @Override
            public void layerDone(String digest, boolean cached) {
                if (!cached) fetched.add(digest);
            }
        };
        store.pull(registry.host() + "/berth/test:small", client, count);
        assertThat(fetched).containsExactly(base.digest());
        try (var pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> pulls = new ArrayList<>();
            for (int i = 0; i < 2; i++) pulls.add(pool.submit(() -> store.pull(registry.host() + "/berth/test:v1", client, count)));
            for (var f : pulls) f.get();
        }
        assertThat(fetched).containsExactlyInAnyOrder(base.digest(), extra.digest(), changes.digest());
    }

    @Test
    @DisplayName("an index gives the node's platform (linux/amd64)")
    void index() throws Exception {
        var image = freshStore().pull(registry.host() + "/berth/test:multi", client, ImageStore.PullListener.NONE);
        assertThat(image.config().cmd()).containsExactly("sh");
        assertThat(image.layers()).hasSize(3);
        var arm = new RegistryClient(new RegistryConfig(java.util.Map.of(), Set.of(registry.host()), java.util.Map.of()), "linux", "arm64");
        assertThat(freshStore().pull(registry.host() + "/berth/test:multi", arm, ImageStore.PullListener.NONE).config().cmd()).containsExactly("false");
        var riscv = new RegistryClient(new RegistryConfig(java.util.Map.of(), Set.of(registry.host()), java.util.Map.of()), "linux", "riscv64");
        assertThatThrownBy(() -> freshStore().pull(registry.host() + "/berth/test:multi", riscv, ImageStore.PullListener.NONE))
                .hasMessageContaining("no linux/riscv64 image in the index (it has linux/arm64, linux/amd64)");
    }

    @Test
    @DisplayName("pull by digest; a wrong digest, an absent image and an unreachable registry fail with that reason")
    void byDigestAndFailures() throws Exception {
        var store = freshStore();
        var resolved = client.resolve(ImageRef.parse(registry.host() + "/berth/test:v1"));
        var image = store.pull(registry.host() + "/berth/test@" + resolved.manifestDigest(), client, ImageStore.PullListener.NONE);
        assertThat(image.name()).isEqualTo(registry.host() + "/berth/test@" + resolved.manifestDigest());
        assertThat(store.find(registry.host() + "/berth/test@" + resolved.manifestDigest())).isPresent();
        assertThatThrownBy(() -> store.pull(registry.host() + "/berth/test@sha256:" + "0".repeat(64), client, ImageStore.PullListener.NONE))
                .hasMessageContaining("404");
        assertThatThrownBy(() -> store.pull(registry.host() + "/berth/nothing:1", client, ImageStore.PullListener.NONE))
                .hasMessageContaining("no image berth/nothing:1 there (404)");
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var nowhere = new RegistryClient(new RegistryConfig(java.util.Map.of(), Set.of("127.0.0.1:" + closed), java.util.Map.of()));
        assertThatThrownBy(() -> store.pull("127.0.0.1:" + closed + "/berth/test:v1", nowhere, ImageStore.PullListener.NONE))
                .hasMessageContaining("cannot reach the registry");
    }

    @Test
    @DisplayName("a mirror is tried first, and the registry after it when the mirror lacks the image")
    void mirrors() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var viaMirror = new RegistryClient(new RegistryConfig(java.util.Map.of("registry.example:5000", List.of(registry.address())), Set.of(), java.util.Map.of()));
        var image = freshStore().pull("registry.example:5000/berth/test:small", viaMirror, ImageStore.PullListener.NONE);
        assertThat(image.name()).isEqualTo("registry.example:5000/berth/test:small");
        var deadMirror = new RegistryClient(new RegistryConfig(java.util.Map.of(registry.host(), List.of("http://127.0.0.1:" + closed)), Set.of(registry.host()), java.util.Map.of()));
        assertThat(freshStore().pull(registry.host() + "/berth/test:small", deadMirror, ImageStore.PullListener.NONE).layers()).hasSize(1);
    }

    @Test
    @DisplayName("auth: a bearer challenge is answered with a token fetched with the node's credentials; basic auth; none configured says what to do")
    void auth() throws Exception {
        try (var gate = new AuthGate(registry, true)) {
            var creds = Map.of(gate.host(), new RegistryConfig.Credentials(AuthGate.USER, AuthGate.PASSWORD));
            var withCreds = new RegistryClient(new RegistryConfig(Map.of(), Set.of(gate.host()), creds));
            assertThat(freshStore().pull(gate.host() + "/berth/test:v1", withCreds, ImageStore.PullListener.NONE).layers()).hasSize(3);
            assertThat(gate.tokensIssued.get()).isEqualTo(1); // fetched once, then reused for every blob
            var wrong = new RegistryClient(new RegistryConfig(Map.of(), Set.of(gate.host()),
                    Map.of(gate.host(), new RegistryConfig.Credentials(AuthGate.USER, "wrong"))));
            assertThatThrownBy(() -> freshStore().pull(gate.host() + "/berth/test:v1", wrong, ImageStore.PullListener.NONE))
                    .hasMessageContaining("token service").hasMessageContaining("refused (HTTP 401)");
        }
        try (var gate = new AuthGate(registry, false)) {
            var none = new RegistryClient(new RegistryConfig(Map.of(), Set.of(gate.host()), Map.of()));
            assertThatThrownBy(() -> freshStore().pull(gate.host() + "/berth/test:small", none, ImageStore.PullListener.NONE))
                    .hasMessageContaining(gate.host() + " asks for credentials: add them under auth in the node's registry config");
            var basic = new RegistryClient(new RegistryConfig(Map.of(), Set.of(gate.host()),
                    Map.of(gate.host(), new RegistryConfig.Credentials(AuthGate.USER, AuthGate.PASSWORD))));
            assertThat(freshStore().pull(gate.host() + "/berth/test:small", basic, ImageStore.PullListener.NONE).layers()).hasSize(1);
        }
    }

    @Test
    @DisplayName("registry config files: read with every problem named; references parse as Docker's do")
    void configAndReferences() throws Exception {
        Path file = work.resolve("registries.yaml");
        Files.writeString(file, """
                mirrors:
                  docker.io: ["http://127.0.0.1:5000"]
                insecure: ["127.0.0.1:5000"]
                auth:
                  registry.example:5000: {username: ci, password: pw}
                """);
        var config = RegistryConfig.read(file);
        assertThat(config.endpoints("docker.io")).containsExactly("http://127.0.0.1:5000", "https://registry-1.docker.io");
        // loopback registries speak plain http without being listed, as Docker's and containerd's do
        for (String loopback : List.of("127.0.0.1:5000", "127.1.2.3", "localhost:5000", "localhost", "[::1]:5000")) {
            assertThat(RegistryConfig.NONE.plainHttp(loopback)).as(loopback).isTrue();
        }
        for (String remote : List.of("10.0.0.1:5000", "registry.example:5000", "127.example.com", "localhost.example:5000")) {
            assertThat(RegistryConfig.NONE.plainHttp(remote)).as(remote).isFalse();
        }
        assertThat(RegistryConfig.NONE.withInsecure("registry.lab:5000").endpoints("registry.lab:5000")).containsExactly("http://registry.lab:5000");
        assertThat(config.endpoints("127.0.0.1:5000")).containsExactly("http://127.0.0.1:5000");
        assertThat(config.auth().get("registry.example:5000").toString()).isEqualTo("ci:***");
        Files.writeString(file, "mirrors: {docker.io: [ftp://x]}\nauth: {r: {username: u}}\nproxy: 1\n");
        assertThatThrownBy(() -> RegistryConfig.read(file)).hasMessageContaining("proxy: unknown field")
                .hasMessageContaining("mirrors.docker.io: \"ftp://x\" is not http(s)://host[:port]").hasMessageContaining("auth.r: needs username and password");
        assertThat(ImageRef.parse("busybox:1.36")).isEqualTo(new ImageRef("docker.io", "library/busybox", "1.36", null));
        assertThat(ImageRef.parse("busybox").storeName()).isEqualTo("busybox:latest");
        var r = ImageRef.parse("registry.example:5000/team/app@sha256:" + "a".repeat(64));
        assertThat(r.registry()).isEqualTo("registry.example:5000");
        assertThat(r.repository()).isEqualTo("team/app");
        assertThat(r.reference()).isEqualTo("sha256:" + "a".repeat(64));
        assertThat(ImageRef.parse("localhost/x:1").registry()).isEqualTo("localhost");
        assertThat(ImageRef.parse("team/app:2").repository()).isEqualTo("team/app");
        assertThatThrownBy(() -> ImageRef.parse("Busybox")).hasMessageContaining("is not an image reference");
        assertThatThrownBy(() -> ImageRef.parse("app@sha256:xyz")).hasMessageContaining("the digest is not sha256:<64 hex>");
    }

    @Test
    @DisplayName("a corrupted blob is refused, and nothing of it stays")
    void corruptedBlob() throws Exception {
        var layout2 = new OciLayout(work.resolve("layout-corrupt"));
        var layer = layout2.layer(tar(files("corrupt/me", "x".repeat(4096))), false);
        layout2.tag(layout2.image(List.of(layer), "amd64", List.of("sh")), "c1");
        registry.push(layout2.dir, "c1", "berth/corrupt", false);
        Path blob = registry.blobFile(layer.digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(blob, bytes);
        var store = freshStore();
        assertThatThrownBy(() -> store.pull(registry.host() + "/berth/corrupt:c1", client, ImageStore.PullListener.NONE))
                .hasMessageContaining("does not match its digest");
        assertThat(store.list()).isEmpty();
        assertThat(store.layerDir(layer.digest())).doesNotExist();
    }

    @Test
    @DisplayName("a layer with ../ entries is refused, and nothing is written outside")
    void escapingLayer() throws Exception {
        var store = freshStore();
        assertThatThrownBy(() -> store.pull(registry.host() + "/berth/test:escape", client, ImageStore.PullListener.NONE))
                .hasMessageContaining("points outside the layer");
        assertThat(store.list()).isEmpty();
        try (var s = Files.walk(work)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("escaped-"))).isEmpty();
        }
    }

    @Test
    @DisplayName("an interrupted download goes on from where it stopped; a bad partial file is thrown away and fetched again")
    void resume() throws Exception {
        var store = freshStore();
        Path downloads = Files.createDirectories(store.layerDir(base.digest()).getParent().getParent().resolve("downloads"));
        Path partial = downloads.resolve(base.digest().substring(7) + ".partial");
        byte[] blob = Files.readAllBytes(registry.blobFile(base.digest()));
        Files.write(partial, java.util.Arrays.copyOf(blob, blob.length / 2));
        var got = new long[1];
        store.pull(registry.host() + "/berth/test:small", client, new ImageStore.PullListener() {
            @Override
            public synchronized void bytes(long n) {
                got[0] += n;
            }
        });
        assertThat(got[0]).isEqualTo(blob.length);
        assertThat(partial).doesNotExist();

        var again = freshStore();
        Path downloads2 = Files.createDirectories(again.layerDir(base.digest()).getParent().getParent().resolve("downloads"));
        Files.write(downloads2.resolve(base.digest().substring(7) + ".partial"), new byte[] {1, 2, 3, 4});
        assertThat(again.pull(registry.host() + "/berth/test:small", client, ImageStore.PullListener.NONE).layers()).containsExactly(base.digest());
    }

    @Test
    @DisplayName("prune removes layers no image uses and unfinished downloads")
    void prune() throws Exception {
        var store = freshStore();
        store.pull(registry.host() + "/berth/test:v1", client, ImageStore.PullListener.NONE);
        store.pull(registry.host() + "/berth/test:small", client, ImageStore.PullListener.NONE);
        Path downloads = store.layerDir(base.digest()).getParent().getParent().resolve("downloads");
        Files.write(downloads.resolve("0".repeat(64) + ".partial"), new byte[100]);
        Files.write(downloads.resolve("0".repeat(64) + ".lock"), new byte[0]);
        assertThat(store.prune().layers()).isZero();
        store.remove(registry.host() + "/berth/test:v1"); // its own layers go with it; the shared base stays
        assertThat(store.layerDir(base.digest())).exists();
        assertThat(store.layerDir(changes.digest())).doesNotExist();
        store.remove(registry.host() + "/berth/test:small");
        Files.createDirectories(store.layerDir(base.digest()));
        assertThat(store.prune().layers()).isEqualTo(1);
        assertThat(downloads.resolve("0".repeat(64) + ".partial")).doesNotExist();
    }
}
