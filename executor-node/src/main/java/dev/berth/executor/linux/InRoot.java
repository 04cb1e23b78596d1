package dev.berth.executor.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * Paths inside a root dir (an image layer, a container's rootfs) resolved by the kernel as if that
 * dir were "/": {@code openat2} with {@code RESOLVE_IN_ROOT}, as crun does. An image's symlinks
 * are followed as the container will see them — {@code /data -> /etc} leads to the root's etc,
 * {@code ../../..} stops at the root — so nothing made or mounted "inside" lands on the host.
 *
 * <p>What is resolved is handed out as {@code /proc/thread-self/fd/N}: the kernel follows that link
 * to the very dir or file it resolved, for any call that takes a path (mount, link, open, and
 * Java's file API). Every fd is closed with this object; it is one thread's, not shared.
 */
public final class InRoot implements AutoCloseable {
    private static final long RESOLVE = Sys.RESOLVE_IN_ROOT | Sys.RESOLVE_NO_MAGICLINKS;
    private final String root;
    private final int rootFd;
    private final List<Integer> fds = new ArrayList<>();

    public InRoot(String root) {
        this.root = root;
        this.rootFd = Sys.open(root, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
    }

    /**
     * The dir at {@code path} inside the root (made, with its parents, when {@code create}), as a
     * path the kernel resolves to it. Making follows the image's links as the kernel would,
     * creating what a dangling one names (inside the root), as runc's MkdirAllInRoot does.
     */
    public String dir(String path, boolean create) {
        return dir(relative(path), create, 0);
    }

    private String dir(String rel, boolean create, int links) {
        if (rel.isEmpty()) return held(Sys.tryOpenat2(rootFd, ".", Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, RESOLVE), "/");
        int fd = Sys.tryOpenat2(rootFd, rel, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, RESOLVE);
        if (fd >= 0 || !create || -fd != Errno.ENOENT) return held(fd, rel);
        // walk down from the root, making what is missing inside the dir its parent resolved to
        int at = rootFd;
        String done = "";
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            String next = done.isEmpty() ? part : done + "/" + part;
            int d = Sys.tryOpenat2(rootFd, next, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, RESOLVE);
            if (d == -Errno.ENOENT) {
                int made = Sys.tryMkdirat(at, part, 0755);
                if (made < 0 && -made != Errno.EEXIST) throw new LinuxException("mkdir " + next + " in " + root, -made);
                d = Sys.tryOpenat2(rootFd, next, Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC, RESOLVE);
                if (d == -Errno.ENOENT) {
                    // a link to nowhere is in the way: make where it leads (inside the root), then go on from there
                    if (links >= 40) throw new LinuxException("mkdir " + rel + " in " + root + ": too many links", Errno.ELOOP);
                    String target = readLink(at, part, next);
                    String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length));
                    String base = target.startsWith("/") ? "" : done;
                    String joined = (base.isEmpty() ? "" : base + "/") + relative(target) + (rest.isEmpty() ? "" : "/" + rest);
                    return dir(normalize(joined), true, links + 1);
                }
            }
            if (d < 0) throw new LinuxException("open " + next + " in " + root, -d);
            fds.add(d);
            at = d;
            done = next;
        }
        return "/proc/thread-self/fd/" + at;
    }

    private String readLink(int dirFd, String name, String shown) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/fd/" + dirFd, name)).toString();
        } catch (java.io.IOException e) {
            throw new LinuxException("mkdir " + shown + " in " + root + ": something that is neither a dir nor a link is in the way", Errno.ENOTDIR);
        }
    }

    /** {@code a/./b/../c} as {@code a/c}; ".." at the top stays at the top, as at "/". */
    private static String normalize(String rel) {
        var out = new java.util.ArrayDeque<String>();
        for (String p : rel.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) out.pollLast();
            else out.addLast(p);
        }
        return String.join("/", out);
    }

    /** The file or dir at {@code path} inside the root, or null when there is none. */
    public String existing(String path) {
        int fd = Sys.tryOpenat2(rootFd, relative(path), Sys.O_PATH | Sys.O_CLOEXEC, RESOLVE);
        if (fd == -Errno.ENOENT) return null;
        return held(fd, path);
    }

    /**
     * The file at {@code path} inside the root, made empty when missing (its dir must exist; a
     * dangling symlink in its place is replaced by the file).
     */
    public String file(String path, int mode) {
        String found = existing(path);
        if (found != null) return found;
        String rel = relative(path);
        int slash = rel.lastIndexOf('/');
        String parent = dir(slash < 0 ? "" : rel.substring(0, slash), false);
        int parentFd = Integer.parseInt(parent.substring(parent.lastIndexOf('/') + 1));
        String name = rel.substring(slash + 1);
        // one component at the resolved dir: nothing more is walked
        Sys.tryUnlinkat(parentFd, name); // a dangling symlink, if that is what is there
        int fd = Sys.tryOpenat(parentFd, name, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, mode);
        if (fd < 0) throw new LinuxException("create " + path + " in " + root, -fd);
        Sys.close(fd);
        return held(Sys.tryOpenat2(rootFd, rel, Sys.O_PATH | Sys.O_CLOEXEC, RESOLVE), path);
    }

    private String held(int fd, String path) {
        if (fd < 0) throw new LinuxException("open " + path + " in " + root, -fd);
        fds.add(fd);
        return "/proc/thread-self/fd/" + fd;
    }

    /** The path without its leading slashes ("/a/b" and "a/b" are the same place inside the root). */
    private static String relative(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') i++;
        String rel = path.substring(i);
        while (rel.endsWith("/")) rel = rel.substring(0, rel.length() - 1);
        return rel;
    }

    public String root() {
        return root;
    }

    /** Closes every fd handed out so far (their paths stop working); the root stays open. */
    public void release() {
        for (int fd : fds) Sys.close(fd);
        fds.clear();
    }

    @Override
    public void close() {
        for (int fd : fds) Sys.close(fd);
        fds.clear();
        Sys.close(rootFd);
    }
}
