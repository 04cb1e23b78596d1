package dev.berth.executor.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A minimal image made from the host's static busybox (Debian: busybox-static): the binary, a
 * link per applet, the usual dirs, and an /etc/passwd with root and user 1000. A first image for a
 * node with no registry, and the test image of Berth's own suites.
 */
public final class BusyboxImage {
    public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private BusyboxImage() {
    }

    /** Writes the image as a plain rootfs tar. */
    public static Path writeTar(Path busybox, Path tar) throws IOException, InterruptedException {
        if (!Files.isRegularFile(busybox)) {
            throw new IOException(busybox + " is missing: install a static busybox (Debian: apt-get install busybox-static)");
        }
        List<String> applets = applets(busybox);
        long now = Instant.now().getEpochSecond();
        try (OutputStream out = Files.newOutputStream(tar); var t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : List.of("bin/", "sbin/", "usr/", "usr/bin/", "usr/sbin/", "etc/", "proc/", "sys/", "dev/", "root/",
                    "home/", "home/user/", "var/", "tmp/")) {
                var e = new TarArchiveEntry(d);
                e.setMode(d.equals("tmp/") ? 01777 : d.equals("root/") ? 0700 : 0755);
                if (d.equals("home/user/")) {
                    e.setUserId(1000);
                    e.setGroupId(1000);
                }
                e.setModTime(now * 1000);
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
            var bin = new TarArchiveEntry("bin/busybox");
            bin.setMode(0755);
            bin.setSize(Files.size(busybox));
            bin.setModTime(now * 1000);
            t.putArchiveEntry(bin);
            Files.copy(busybox, t);
            t.closeArchiveEntry();
            for (String applet : applets) {
                var link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                link.setModTime(now * 1000);
                t.putArchiveEntry(link);
                t.closeArchiveEntry();
            }
            file(t, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", now);
            file(t, "etc/group", "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n", now);
        }
        return tar;
    }

    private static void file(TarArchiveOutputStream t, String name, String content, long now) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        var e = new TarArchiveEntry(name);
        e.setMode(0644);
        e.setSize(b.length);
        e.setModTime(now * 1000);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }

    /** The applets this busybox has, as it lists them itself. */
    private static List<String> applets(Path busybox) throws IOException, InterruptedException {
        var p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(busybox + " --list failed: " + out);
        var applets = new ArrayList<String>();
        for (String a : out.split("\n")) {
            if (!a.isBlank() && !a.equals("busybox") && a.matches("[a-zA-Z0-9_.\\[-]+")) applets.add(a.trim());
        }
        return applets;
    }
}
