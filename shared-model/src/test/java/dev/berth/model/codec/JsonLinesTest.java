package dev.berth.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
    @Test
    @DisplayName("each value one JSON line, in order, all written by close; past the bound the file moves to NAME.1")
    void appendsAndRotates(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/log.jsonl");
        try (var lines = new JsonLines(file, "test-lines", 200)) {
            for (int i = 0; i < 10; i++) lines.append(Map.of("n", i, "text", "some words to fill the line"));
        }
        var kept = Files.readAllLines(file);
        var older = Files.readAllLines(dir.resolve("sub/log.jsonl.1"));
        assertThat(older).isNotEmpty();
        assertThat(kept.size() + older.size()).as("lines in the current file and the one moved aside").isLessThanOrEqualTo(10).isGreaterThan(0);
        var newest = new java.util.ArrayList<>(older);
        newest.addAll(kept);
        assertThat(newest.getLast()).as("the last value written is the last line (of NAME.1 when it was just moved)").contains("\"n\":9");
        try (var again = new JsonLines(file, "test-lines", 0)) {
            again.append(Map.of("n", 10));
        }
        assertThat(Files.readAllLines(file).getLast()).isEqualTo("{\"n\":10}");
    }
}
