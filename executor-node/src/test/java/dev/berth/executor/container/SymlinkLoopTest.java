package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.model.spec.TaskSpec;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** An image whose shell is a link that loops (a busybox that was linked to itself) is refused by name at start. */
class SymlinkLoopTest {
    /** The layers as a map: a path to its link target, or to null for a plain file or dir. */
    static ImageFiles files(Map<String, String> entries) {
        return new ImageFiles() {
            @Override
            public boolean exists(String path) {
                return entries.containsKey(path);
            }

            @Override
            public Optional<String> read(String path) {
                return Optional.empty();
            }

            @Override
            public Optional<String> link(String path) {
                return Optional.ofNullable(entries.get(path));
            }
        };
    }

    @Test
    @DisplayName("links are followed as the kernel does: relative from the link's dir, absolute from the root, .. and dirs that are links")
    void follow() {
        var f = files(tree(Map.of("/bin", "usr/bin", "/usr/bin/sh", "../bin/busybox", "/sbin", "/bin", "/bin-loop", "/bin-loop",
                "/dangling", "/nowhere/x"), "/usr", "/usr/bin", "/usr/bin/busybox"));
        assertThat(f.follow("/bin/sh")).isEqualTo(new ImageFiles.Resolved.Found("/usr/bin/busybox"));
        assertThat(f.follow("/sbin/sh")).isEqualTo(new ImageFiles.Resolved.Found("/usr/bin/busybox"));
        assertThat(f.follow("/bin-loop")).isInstanceOf(ImageFiles.Resolved.Loop.class);
        assertThat(f.follow("/dangling")).isEqualTo(new ImageFiles.Resolved.Missing("/nowhere"));
    }

    /** Links with their targets, and plain files or dirs (mapped to null). */
    static Map<String, String> tree(Map<String, String> links, String... plain) {
        var m = new java.util.HashMap<>(links);
        for (String p : plain) m.put(p, null);
        return m;
    }

    @Test
    @DisplayName("a rootfs made with `for a in $(busybox --list); do ln -s busybox $a; done` inside bin/: starting sh says it is a symlink loop")
    void selfLinkedBusybox() throws Exception {
        try (var node = new ContainerFixture()) {
            Path tar = node.dataDir.resolve("loop.tar");
            try (OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out)) {
                var bin = new TarArchiveEntry("bin/");
                t.putArchiveEntry(bin);
                t.closeArchiveEntry();
                for (String applet : List.of("busybox", "sh", "echo")) {
                    var link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("busybox");
                    t.putArchiveEntry(link);
                    t.closeArchiveEntry();
                }
            }
            node.images.importImage(tar, "loop:1");
            TaskSpec task = TaskSpec.basic("t", "loop:1", List.of("sh", "-c", "echo hi"), ContainerFixture.task("true").resources());
            assertThatThrownBy(() -> node.start(task)).isInstanceOf(TaskStartException.class)
                    .hasMessageContaining("/bin/sh in image loop:1 is a symlink loop");
        }
    }

    @Test
    @DisplayName("errno names and texts come from libc, also for values Berth never names itself")
    void errnoFromLibc() {
        assertThat(new LinuxException("posix_spawn /bin/sh", 40).getMessage()).isEqualTo("posix_spawn /bin/sh: ELOOP (Too many levels of symbolic links)");
        assertThat(new LinuxException("read /dev/x", 121).getMessage()).isEqualTo("read /dev/x: EREMOTEIO (Remote I/O error)");
        assertThat(new LinuxException("open /x", 2).getMessage()).isEqualTo("open /x: ENOENT (No such file or directory)");
        assertThat(new LinuxException("odd", 500).getMessage()).isEqualTo("odd: errno 500 (see errno(3))");
    }
}
