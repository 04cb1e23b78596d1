package dev.berth.executor.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Looks into an image's layers from the host, top layer first, without following any link out of them. */
public interface ImageFiles {
    /** The kernel gives up after this many links in one lookup (ELOOP). */
    int MAX_LINKS = 40;

    /** True when the path exists in some layer (as a file, dir or link). */
    boolean exists(String path);

    Optional<String> read(String path);

    /** The target of the link at exactly this path (its top-most layer's entry), when it is a link. */
    Optional<String> link(String path);

    /** Where a path leads inside the image once its links are followed, as the kernel would from the container's root. */
    sealed interface Resolved {
        record Found(String path) implements Resolved {
        }

        /** {@code path} is not in the image: the end of a dangling link, or a missing directory on the way. */
        record Missing(String path) implements Resolved {
        }

        record Loop() implements Resolved {
        }
    }

    /** Follows {@code path}'s links inside the image: absolute targets from its root, relative ones from the link's dir. */
    default Resolved follow(String path) {
        var todo = new ArrayDeque<>(components(path));
        var done = new ArrayList<String>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            String here = "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c;
            Optional<String> target = link(here);
            if (target.isPresent()) {
                if (++links > MAX_LINKS) return new Resolved.Loop();
                var rest = components(target.get());
                for (int i = rest.size() - 1; i >= 0; i--) todo.addFirst(rest.get(i));
                if (target.get().startsWith("/")) done.clear();
                continue;
            }
            if (!exists(here)) return new Resolved.Missing(here);
            done.add(c);
        }
        return new Resolved.Found("/" + String.join("/", done));
    }

    private static List<String> components(String path) {
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    static ImageFiles of(List<Path> layersTopFirst) {
        return new ImageFiles() {
            @Override
            public boolean exists(String path) {
                return layersTopFirst.stream().anyMatch(l -> Files.exists(l.resolve(path.substring(1)), LinkOption.NOFOLLOW_LINKS));
            }

            @Override
            public Optional<String> read(String path) {
                for (Path l : layersTopFirst) {
                    Path p = l.resolve(path.substring(1));
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            return Optional.of(Files.readString(p));
                        } catch (IOException e) {
                            return Optional.empty();
                        }
                    }
                }
                return Optional.empty();
            }

            @Override
            public Optional<String> link(String path) {
                for (Path l : layersTopFirst) {
                    Path p = l.resolve(path.substring(1));
                    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
                    if (!Files.isSymbolicLink(p)) return Optional.empty();
                    try {
                        return Optional.of(Files.readSymbolicLink(p).toString());
                    } catch (IOException e) {
                        return Optional.empty();
                    }
                }
                return Optional.empty();
            }
        };
    }
}
