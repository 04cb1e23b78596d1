package dev.berth.executor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads kernel files under /proc and /sys. {@code Files.readString} trusts the size that stat
 * reports, which procfs gets wrong: on this kernel it returned "3" for a pid_max of 32768.
 */
public final class ProcFiles {
    private ProcFiles() {
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static String readTrimmed(Path file) throws IOException {
        return read(file).trim();
    }
}
