package dev.berth.executor.cgroup;

import dev.berth.executor.ProcFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reading and writing cgroup control files, with errors that name the file and the value. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static void write(Path file, String value) throws IOException {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileSystemException e) {
            throw new IOException("write \"" + value + "\" to " + file + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()), e);
        }
    }

    static String read(Path file) throws IOException {
        return ProcFiles.read(file);
    }

    static List<Long> pids(Path procsFile) throws IOException {
        var out = new ArrayList<Long>();
        for (String line : read(procsFile).split("\n")) {
            if (!line.isBlank()) out.add(Long.parseLong(line.trim()));
        }
        return out;
    }

    /** rmdir, retried for up to two seconds while the kernel still holds the cgroup (EBUSY). */
    static void rmdir(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                if (e instanceof NoSuchFileException) return;
                throw new IOException("rmdir " + dir + ": it has child cgroups", e);
            } catch (FileSystemException e) {
                if (attempt >= 300) throw new IOException("rmdir " + dir + ": " + e.getReason(), e);
                try {
                    Thread.sleep(java.time.Duration.ofNanos(attempt < 100 ? 200_000 : 10_000_000));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("rmdir " + dir + ": interrupted", ie);
                }
            }
        }
    }
}
