package dev.berth.executor.image;

import dev.berth.executor.linux.InRoot;
import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.linux.Sys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one layer tar into a dir. Entries named outside the dir — {@code ../} paths, absolute
 * paths — are refused, and so is the layer. Every entry's parent, and a hard link's source, is
 * resolved inside the dir by the kernel ({@link InRoot}: the layer's own symlinks are followed as
 * they would be with the dir as "/"), so a symlink the tar made earlier — {@code evil -> /etc},
 * then {@code evil/passwd} — leads into the layer and never makes or links anything on the host.
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
        try (var in = new TarArchiveInputStream(tar); var inRoot = new InRoot(root.toString())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String rel = root.relativize(inside(root, e.getName())).toString();
                if (rel.isEmpty()) continue;
                try {
                    entry(in, e, rel, inRoot, dirTimes);
                } catch (LinuxException failed) {
                    throw new IOException("layer entry \"" + e.getName() + "\": " + failed.getMessage() + "; refusing the layer", failed);
                } finally {
                    inRoot.release();
                }
            }
            for (Object[] d : dirTimes) {
                try {
                    String rel = (String) d[0];
                    attributes(at(inRoot, rel), (TarArchiveEntry) d[1]);
                } finally {
                    inRoot.release();
                }
            }
        }
    }

    private static void entry(TarArchiveInputStream in, TarArchiveEntry e, String rel, InRoot inRoot, List<Object[]> dirTimes) throws IOException {
        Path parent = Path.of(inRoot.dir(parentOf(rel), true));
        String base = nameOf(rel);
        Path target = parent.resolve(base);
        if (base.equals(OPAQUE)) {
            Sys.lsetxattr(parent + "/.", "trusted.overlay.opaque", new byte[] {'y'});
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            Path hidden = parent.resolve(base.substring(WHITEOUT.length()));
            ImageStore.deleteTree(hidden);
            Sys.mknod(hidden.toString(), Sys.S_IFCHR, Sys.makedev(0, 0));
            return;
        }
        if (e.isDirectory()) {
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(target);
                Files.createDirectory(target);
            }
            dirTimes.add(new Object[] {rel, e});
        } else if (e.isSymbolicLink()) {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            // the source resolved inside the layer too; link(2) links a symlink itself, never what it points to
            Path root = Path.of(inRoot.root());
            String source = root.relativize(inside(root, e.getLinkName())).toString();
            Path from = at(inRoot, source);
            Files.deleteIfExists(target);
            Files.createLink(target, from);
            return;
        } else if (e.isFile()) {
            Files.deleteIfExists(target);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
            return; // devices and FIFOs: not part of a container's rootfs here
        }
        attributes(target, e);
    }

    /** The entry {@code rel} as a path whose parent the kernel resolved inside the layer. */
    private static Path at(InRoot inRoot, String rel) {
        return Path.of(inRoot.dir(parentOf(rel), false)).resolve(nameOf(rel));
    }

    private static String parentOf(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    private static String nameOf(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
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

    private static void attributes(Path p, TarArchiveEntry e) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        if (e.isSymbolicLink()) return;
        Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
    }

}
