package dev.berth.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochGuardTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("an older epoch is refused, also by the next run of the executor")
    void persists() throws Exception {
        Path file = dir.resolve("leader-epoch");
        var guard = EpochGuard.load(file);
        assertThat(guard.admit(3)).isNull();
        assertThat(guard.admit(3)).isNull();
        assertThat(guard.admit(2)).isEqualTo("stale leader epoch 2 (this node has seen 3)");
        var next = EpochGuard.load(file);
        assertThat(next.highest()).isEqualTo(3);
        assertThat(next.admit(1)).contains("stale leader epoch 1");
        assertThat(next.admit(4)).isNull();
        assertThat(Files.readString(file)).isEqualTo("4");
    }

    @Test
    @DisplayName("a damaged file is named, not silently reset to 0")
    void damaged() throws Exception {
        Path file = Files.writeString(dir.resolve("leader-epoch"), "x1");
        assertThatThrownBy(() -> EpochGuard.load(file)).hasMessageContaining("\"x1\" is not an epoch");
    }
}
