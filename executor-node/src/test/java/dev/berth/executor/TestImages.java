package dev.berth.executor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Test images built from Debian's busybox-static (never downloaded): a rootfs dir with busybox, a
 * symlink per applet, the usual dirs, and /etc/passwd with root and a user 1000.
 */
public final class TestImages {
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private TestImages() {
    }

    /** Fails loudly when busybox-static is missing: `.ci/run` installs it. */
    public static void requireBusybox() throws IOException, InterruptedException {
        if (!Files.isExecutable(BUSYBOX)) throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static (.ci/run does)");
    }

    public static Path busyboxRootfs(Path dir) throws IOException, InterruptedException {
        requireBusybox();
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root", "home/user", "var")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(BUSYBOX, dir.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        var list = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
        for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
            if (applet.isBlank() || applet.equals("busybox")) continue;
            Path link = dir.resolve("bin").resolve(applet);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        list.waitFor(10, TimeUnit.SECONDS);
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nuser:x:1000:\n");
        return dir;
    }

    /** A plain rootfs tar of {@link #busyboxRootfs}. */
    public static Path busyboxTar(Path work) throws IOException, InterruptedException {
        Path root = busyboxRootfs(Files.createDirectories(work.resolve("rootfs")));
        Path tar = work.resolve("busybox.tar");
        try (OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            try (var files = Files.walk(root)) {
                for (Path p : files.sorted().toList()) {
                    if (p.equals(root)) continue;
                    String name = root.relativize(p).toString();
                    TarArchiveEntry e;
                    if (Files.isSymbolicLink(p)) {
                        e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                        e.setLinkName(Files.readSymbolicLink(p).toString());
                    } else {
                        e = new TarArchiveEntry(p.toFile(), name + (Files.isDirectory(p) ? "/" : ""));
                    }
                    e.setMode(Files.isSymbolicLink(p) ? 0777 : (int) Files.getAttribute(p, "unix:mode") & 07777);
                    t.putArchiveEntry(e);
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.copy(p, t);
                    t.closeArchiveEntry();
                }
            }
        }
        return tar;
    }
}
