package dev.berth.executor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.TestImages;
import dev.berth.executor.Trees;
import dev.berth.model.codec.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ImageStoreTest {
    Path work;
    ImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("berth-images-");
        store = new ImageStore(work.resolve("store"));
    }

    @AfterEach
    void tearDown() throws IOException {
        Trees.delete(work);
    }

    /** A tar in memory from name → content (a content starting with "->" makes a symlink). */
    static byte[] tar(Map<String, String> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var e : entries.entrySet()) {
                TarArchiveEntry entry;
                if (e.getKey().endsWith("/")) {
                    entry = new TarArchiveEntry(e.getKey());
                    entry.setMode(0755);
                } else if (e.getValue().startsWith("=>")) {
                    entry = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_LINK);
                    entry.setLinkName(e.getValue().substring(2));
                } else if (e.getValue().startsWith("->")) {
                    entry = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(e.getValue().substring(2));
                } else {
                    entry = new TarArchiveEntry(e.getKey());
                    entry.setMode(0644);
                    entry.setSize(e.getValue().getBytes(StandardCharsets.UTF_8).length);
                }
                t.putArchiveEntry(entry);
                if (!e.getKey().endsWith("/") && !e.getValue().startsWith("->") && !e.getValue().startsWith("=>")) t.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** An OCI image layout with two gzip layers, the second overriding a file of the first. */
    Path ociLayout(Path dir) throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        byte[] l1 = gzip(tar(Map.of("etc/", "", "etc/motd", "base\n", "bin/", "")));
        byte[] l2 = gzip(tar(Map.of("etc/", "", "etc/motd", "top\n")));
        byte[] config = Json.write(Map.of("architecture", "amd64", "os", "linux",
                "config", Map.of("Cmd", List.of("/bin/sh"), "Env", List.of("PATH=/bin", "A=1"), "WorkingDir", "/srv"))).getBytes();
        for (byte[] b : List.of(l1, l2, config)) Files.write(blobs.resolve(sha256(b)), b);
        var manifest = Json.write(Map.of("schemaVersion", 2, "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Map.of("digest", "sha256:" + sha256(config), "size", config.length),
                "layers", List.of(Map.of("digest", "sha256:" + sha256(l1), "size", l1.length),
                        Map.of("digest", "sha256:" + sha256(l2), "size", l2.length)))).getBytes();
        Files.write(blobs.resolve(sha256(manifest)), manifest);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), Json.write(Map.of("schemaVersion", 2,
                "manifests", List.of(Map.of("digest", "sha256:" + sha256(manifest), "size", manifest.length)))));
        return dir;
    }

    static void tarDir(Path dir, Path tar) throws IOException {
        try (OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out); var files = Files.walk(dir)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : files.sorted().toList()) {
                if (p.equals(dir)) continue;
                var e = new TarArchiveEntry(p.toFile(), dir.relativize(p).toString());
                t.putArchiveEntry(e);
                if (Files.isRegularFile(p)) Files.copy(p, t);
                t.closeArchiveEntry();
            }
        }
    }

    @Test
    @DisplayName("a plain rootfs tar becomes a one-layer image; a second name shares the layer")
    void plainRootfs() throws Exception {
        Path tar = TestImages.busyboxTar(Files.createDirectories(work.resolve("b")));
        var a = store.importImage(tar, "busybox:1");
        var b = store.importImage(tar, "busybox:2");
        assertThat(a.layers()).hasSize(1).isEqualTo(b.layers());
        assertThat(store.layerDir(a.layers().getFirst()).resolve("bin/busybox")).isRegularFile();
        assertThat(Files.isSymbolicLink(store.layerDir(a.layers().getFirst()).resolve("bin/sh"))).isTrue();
        try (var layers = Files.list(work.resolve("store/layers"))) {
            assertThat(layers.count()).isEqualTo(1);
        }
        assertThat(store.list()).extracting(Image::name).containsExactly("busybox:1", "busybox:2");
        assertThat(store.remove("busybox:1")).isTrue();
        assertThat(store.layerDir(a.layers().getFirst())).exists();
        assertThat(store.remove("busybox:2")).isTrue();
        assertThat(store.layerDir(a.layers().getFirst())).doesNotExist();
        assertThat(store.remove("busybox:2")).isFalse();
    }

    @Test
    @DisplayName("an OCI layout, as a dir and as a tar: layers in order, verified, with the image's config")
    void ociLayout() throws Exception {
        Path layout = ociLayout(Files.createDirectories(work.resolve("oci")));
        var image = store.importImage(layout, "app");
        assertThat(image.name()).isEqualTo("app:latest");
        assertThat(image.layers()).hasSize(2);
        assertThat(Files.readString(store.layerDir(image.layers().get(0)).resolve("etc/motd"))).isEqualTo("base\n");
        assertThat(Files.readString(store.layerDir(image.layers().get(1)).resolve("etc/motd"))).isEqualTo("top\n");
        assertThat(image.config().cmd()).containsExactly("/bin/sh");
        assertThat(image.config().env()).containsExactly("PATH=/bin", "A=1");
        assertThat(image.config().workingDir()).isEqualTo("/srv");

        Path tar = work.resolve("oci.tar");
        tarDir(layout, tar);
        assertThat(store.importImage(tar, "app:tar").layers()).isEqualTo(image.layers());
    }

    @Test
    @DisplayName("a corrupted blob of an OCI layout is refused")
    void corruptedBlob() throws Exception {
        Path layout = ociLayout(Files.createDirectories(work.resolve("oci")));
        try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) {
                byte[] content = Files.readAllBytes(b);
                if (content.length > 2 && content[0] == 0x1f) {
                    content[content.length - 1] ^= 1;
                    Files.write(b, content);
                    break;
                }
            }
        }
        assertThatThrownBy(() -> store.importImage(layout, "bad")).hasMessageContaining("does not match its digest");
        assertThat(store.find("bad")).isEmpty();
    }

    @Test
    @DisplayName("a docker save tar: manifest.json, layer tars, config")
    void dockerSave() throws Exception {
        Path dir = Files.createDirectories(work.resolve("save"));
        byte[] layer = tar(Map.of("hello.txt", "from docker\n"));
        Files.createDirectories(dir.resolve("abc"));
        Files.write(dir.resolve("abc/layer.tar"), layer);
        Files.writeString(dir.resolve("cfg.json"), Json.write(Map.of("config", Map.of("Entrypoint", List.of("/hello")))));
        Files.writeString(dir.resolve("manifest.json"), Json.write(List.of(Map.of("Config", "cfg.json",
                "RepoTags", List.of("hello:1"), "Layers", List.of("abc/layer.tar")))));
        Path tar = work.resolve("save.tar");
        tarDir(dir, tar);
        var image = store.importImage(tar, "hello:1");
        assertThat(image.layers()).containsExactly("sha256:" + sha256(layer));
        assertThat(Files.readString(store.layerDir(image.layers().getFirst()).resolve("hello.txt"))).isEqualTo("from docker\n");
        assertThat(image.config().entrypoint()).containsExactly("/hello");
    }

    @Test
    @DisplayName("tar entries named outside the layer are refused, and no half layer stays")
    void escapesRefused() throws Exception {
        var cases = new LinkedHashMap<String, Map<String, String>>();
        cases.put("dot-dot", Map.of("../../escaped", "x"));
        cases.put("hard link to ..", Map.of("pw", "=>../../../etc/passwd"));
        var linkThroughSymlink = new LinkedHashMap<String, String>();
        linkThroughSymlink.put("etc", "->/etc");
        linkThroughSymlink.put("pw", "=>etc/passwd");
        cases.put("hard link through a symlink to the host etc", linkThroughSymlink);
        for (var c : cases.entrySet()) {
            Path tar = work.resolve(c.getKey().replace(' ', '-') + ".tar");
            Files.write(tar, tar(c.getValue()));
            assertThatThrownBy(() -> store.importImage(tar, "evil")).as(c.getKey()).hasMessageContaining("refusing the layer");
        }
        assertThat(Path.of("/tmp/escaped")).doesNotExist();
        assertThat(store.find("evil")).isEmpty();
        try (var layers = Files.list(work.resolve("store/layers")); var tmp = Files.list(work.resolve("store/tmp"))) {
            assertThat(layers.count()).isZero();
            assertThat(tmp.count()).isZero();
        }
    }

    @Test
    @DisplayName("entries under a symlink the layer made (`evil -> /tmp`, then evil/DIR/x) are resolved inside the layer: nothing is made on the host")
    void symlinksResolveInsideTheLayer() throws Exception {
        String dir = "berth-escape-" + java.util.UUID.randomUUID();
        var entries = new LinkedHashMap<String, String>();
        entries.put("tmp/", "");
        entries.put("evil", "->/tmp");
        entries.put("evil/" + dir + "/x", "inside");
        entries.put("rel", "->../../../../tmp");
        entries.put("rel/" + dir + "/y", "inside too");
        entries.put("hard", "=>evil/" + dir + "/x");
        entries.put("run", "->/" + dir + "-nowhere");
        entries.put("run/z", "made where the link leads");
        Path tar = work.resolve("symlinked.tar");
        Files.write(tar, tar(entries));
        var image = store.importImage(tar, "symlinked:1");
        Path layer = store.layerDir(image.layers().getFirst());
        assertThat(Path.of("/tmp", dir)).as("the host's /tmp").doesNotExist();
        assertThat(Files.readString(layer.resolve("tmp").resolve(dir).resolve("x"))).isEqualTo("inside");
        assertThat(Files.readString(layer.resolve("tmp").resolve(dir).resolve("y"))).isEqualTo("inside too");
        assertThat(Files.isSymbolicLink(layer.resolve("evil"))).isTrue();
        assertThat(Path.of("/" + dir + "-nowhere")).doesNotExist();
        assertThat(Files.readString(layer.resolve(dir + "-nowhere/z"))).isEqualTo("made where the link leads");
        assertThat(Files.readString(layer.resolve("hard"))).isEqualTo("inside");
        assertThat(Files.getAttribute(layer.resolve("hard"), "unix:nlink")).isEqualTo(2);
    }

    @Test
    @DisplayName("image names: a tag defaults to latest; bad names are refused")
    void names() {
        assertThat(ImageStore.normalize("busybox")).isEqualTo("busybox:latest");
        assertThat(ImageStore.normalize("registry.example:5000/team/app:1.2")).isEqualTo("registry.example:5000/team/app:1.2");
        assertThatThrownBy(() -> ImageStore.normalize("Bad Name")).hasMessageContaining("is not an image reference");
        assertThatThrownBy(() -> ImageStore.normalize("../../etc/passwd")).hasMessageContaining("a path is not an image name");
        assertThat(Files.exists(Path.of("/nonexistent"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
