package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.TestImages;
import dev.berth.model.spec.TaskSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Images whose symlinks aim at the host: a volume target and /etc/hosts behind absolute links to a
 * host dir, /dev as a link. Mount targets resolve inside the rootfs (openat2 RESOLVE_IN_ROOT); the
 * host dir is never touched. On the real kernel.
 */
class HostileImageTest {
    ContainerFixture node;
    Path host;

    @BeforeEach
    void up() throws Exception {
        node = new ContainerFixture();
        host = Files.createTempDirectory("berth-hostile-");
        Files.writeString(host.resolve("hosts"), "HOST FILE\n");
    }

    @AfterEach
    void down() throws Exception {
        try {
            node.close();
        } finally {
            try (var files = Files.walk(host)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Busybox with these extra entries: a path to its link target ("/x") or to null for a dir. */
    Path image(String name, Map<String, String> extra) throws Exception {
        Path base = TestImages.busyboxTar(Files.createDirectories(node.dataDir.resolve("build-" + name)));
        Path tar = node.dataDir.resolve(name + ".tar");
        try (InputStream in = Files.newInputStream(base); var src = new TarArchiveInputStream(in);
             OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e;
            while ((e = src.getNextEntry()) != null) {
                if (extra.containsKey(e.getName().replaceAll("/$", ""))) continue;
                t.putArchiveEntry(e);
                src.transferTo(t);
                t.closeArchiveEntry();
            }
            for (var x : extra.entrySet()) {
                TarArchiveEntry entry = x.getValue() == null ? new TarArchiveEntry(x.getKey() + "/") : new TarArchiveEntry(x.getKey(), TarArchiveEntry.LF_SYMLINK);
                if (x.getValue() != null) entry.setLinkName(x.getValue());
                else entry.setMode(0755);
                t.putArchiveEntry(entry);
                t.closeArchiveEntry();
            }
        }
        node.images.importImage(tar, name + ":1");
        return tar;
    }

    @Test
    @DisplayName("a volume behind `vol -> /host/dir` and /etc/hosts behind a link to a host file land inside the container; the host dir is untouched")
    void linksStayInside() throws Exception {
        var extra = new LinkedHashMap<String, String>();
        extra.put("vol", host.toString());
        extra.put("etc", null);
        extra.put("etc/hosts", host.resolve("hosts").toString());
        image("hostile", extra);
        Files.writeString(node.volumes.resolve("data.txt"), "from the volume");
        var task = TaskSpec.basic("t", "hostile:1", List.of("sh", "-c", "cat /vol/sub/data.txt; echo; cat /etc/hosts"),
                ContainerFixture.task("true").resources()).withVolumes(List.of(new TaskSpec.Volume(node.volumes.toString(), "/vol/sub", true)));
        var r = node.run(task);
        assertThat(r.stdout()).as(r.stderr()).startsWith("from the volume\n").contains("127.0.0.1").doesNotContain("HOST FILE");
        try (var left = Files.list(host)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("the host dir the links name").containsExactly("hosts");
        }
        assertThat(Files.readString(host.resolve("hosts"))).isEqualTo("HOST FILE\n");
    }

    @Test
    @DisplayName("an image whose /dev is a symlink is refused by name: a mount there would land elsewhere")
    void devAsLinkRefused() throws Exception {
        image("devlink", Map.of("dev", host.toString()));
        var task = TaskSpec.basic("t", "devlink:1", List.of("true"), ContainerFixture.task("true").resources());
        assertThatThrownBy(() -> node.start(task)).hasMessageContaining("/dev is not a directory (a symlink or a file)");
        try (var left = Files.list(host)) {
            assertThat(left.count()).isEqualTo(1);
        }
    }

}
