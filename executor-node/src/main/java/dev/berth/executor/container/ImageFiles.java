package dev.berth.executor.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Looks into an image's layers from the host, top layer first, without following any link out of them. */
public interface ImageFiles {
    /** True when the path exists in some layer (as a file, dir or link). */
    boolean exists(String path);

    Optional<String> read(String path);

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
        };
    }
}
