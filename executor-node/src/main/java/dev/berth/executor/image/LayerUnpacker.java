package dev.berth.executor.image;

import dev.berth.executor.linux.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer tar into a dir. Entries that would land outside the dir — {@code ../} paths,
 * absolute paths, or paths through a symlink the tar made earlier — are refused, and so is the layer.
 * Owners, modes and times are kept; device nodes are skipped (containers get their own /dev).
 * OCI whiteouts become overlayfs's, since each layer is an overlay lower dir: {@code .wh.NAME} a 0/0
 * character device NAME (hides NAME of the layers below), {@code .wh..wh..opq} the
 * {@code trusted.overlay.opaque} attribute on its dir (hides all the dir had below).
 */
public final class LayerUnpacker {
    static final String WHITEOUT = ".wh.", OPAQUE = ".wh..wh..opq";
    private LayerUnpacker() {
    }

    public static void unpack(InputStream tar, Path dir) throws IOException {
        Path root = dir.toRealPath();
        var dirTimes = new ArrayList<Object[]>();
        try (var in = new TarArchiveInputStream(tar)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path target = inside(root, e.getName());
                if (target.equals(root)) continue;
                Files.createDirectories(target.getParent());
                checkParent(root, target);
                String base = target.getFileName().toString();
                if (base.equals(OPAQUE)) {
                    Sys.lsetxattr(target.getParent().toString(), "trusted.overlay.opaque", new byte[] {'y'});
                    continue;
                }
                if (base.startsWith(WHITEOUT)) {
                    Path hidden = inside(root, e.getName().substring(0, e.getName().length() - base.length()) + base.substring(WHITEOUT.length()));
                    ImageStore.deleteTree(hidden);
                    Sys.mknod(hidden.toString(), Sys.S_IFCHR, Sys.makedev(0, 0));
                    continue;
                }
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(target);
                        Files.createDirectory(target);
                    }
                    dirTimes.add(new Object[] {target, e});
                } else if (e.isSymbolicLink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else if (e.isLink()) {
                    Path source = inside(root, e.getLinkName());
                    Files.deleteIfExists(target);
                    Files.createLink(target, source);
                    continue;
                } else if (e.isFile()) {
                    Files.deleteIfExists(target);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    continue; // devices and FIFOs: not part of a container's rootfs here
                }
                attributes(target, e);
            }
        }
        for (Object[] d : dirTimes) attributes((Path) d[0], (TarArchiveEntry) d[1]);
    }

    /** The entry's path under root, or an exception when it would escape. */
    static Path inside(Path root, String name) throws IOException {
        String n = name.startsWith("./") ? name.substring(2) : name;
        if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
            throw new IOException("layer entry \"" + name + "\" points outside the layer; refusing the layer");
        }
        Path p = root.resolve(n).normalize();
        if (!p.startsWith(root)) throw new IOException("layer entry \"" + name + "\" points outside the layer; refusing the layer");
        return p;
    }

    /** A parent that is (or passes through) a symlink could lead outside: resolve it and check. */
    private static void checkParent(Path root, Path target) throws IOException {
        if (!target.getParent().toRealPath().startsWith(root)) {
            throw new IOException("layer entry " + root.relativize(target) + " passes through a symlink out of the layer; refusing the layer");
        }
    }

    private static void attributes(Path p, TarArchiveEntry e) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        if (e.isSymbolicLink()) return;
        Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
    }

}
