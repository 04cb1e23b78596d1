package dev.berth.executor.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.executor.Trees;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogRotationTest {
    @Test
    @DisplayName("an appending writer keeps writing while its file is capped; older output moves to .1 and .2")
    void capsAnAppendingWriter() throws Exception {
        Path dir = Files.createTempDirectory("berth-logs-");
        try {
            Path log = dir.resolve("stdout.log");
            try (var out = new FileOutputStream(log.toFile(), true)) { // O_APPEND, as the container's fd
                for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < 100; i++) out.write(("round " + round + " line " + i + "\n").getBytes());
                    out.flush();
                    boolean rotated = LogRotation.rotateIfLarger(log, 1000, 2);
                    assertThat(rotated).isTrue();
                    assertThat(Files.size(log)).isZero();
                }
                out.write("after\n".getBytes());
            }
            assertThat(Files.readString(log)).isEqualTo("after\n");
            assertThat(Files.readString(dir.resolve("stdout.log.1"))).startsWith("round 4 line 0\n").endsWith("round 4 line 99\n");
            assertThat(Files.readString(dir.resolve("stdout.log.2"))).startsWith("round 3 line 0\n");
            assertThat(dir.resolve("stdout.log.3")).doesNotExist();
            assertThat(LogRotation.rotateIfLarger(log, 1000, 2)).isFalse();
            assertThat(LogRotation.rotateIfLarger(dir.resolve("missing.log"), 1000, 2)).isFalse();
        } finally {
            Trees.delete(dir);
        }
    }
}
