package dev.berth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A test's temp dir, removed with everything in it; and each test node's own bridge network. */
final class TestDirs {
    private TestDirs() {
    }

    /** Bridge berth-NAME, subnet 10.211.N.0/24, table berth_NAME: test nodes never share a bridge. */
    static java.util.Map<String, Object> network(String name, int n) {
        return dev.berth.executor.TestNetworks.settings(name, n);
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
