package dev.berth.executor.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a task's log under a size cap. The container writes to its log file itself (O_APPEND, no
 * pipe through the executor, which keeps launches fast), so rotation copies the file to
 * {@code NAME.1} (older copies shift to {@code .2} … {@code .keep}) and truncates it; the task's
 * next write lands at the start of the emptied file. Lines written between the copy and the
 * truncation (microseconds) can be lost, as with logrotate's copytruncate.
 */
public final class LogRotation {
    private LogRotation() {
    }

    /** Rotates {@code file} when it is larger than {@code maxBytes}; returns true when it did. */
    public static boolean rotateIfLarger(Path file, long maxBytes, int keep) throws IOException {
        if (!Files.exists(file) || Files.size(file) <= maxBytes) return false;
        for (int i = keep - 1; i >= 1; i--) {
            Path older = sibling(file, i);
            if (Files.exists(older)) Files.move(older, sibling(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Path first = sibling(file, 1);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel out = FileChannel.open(first, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            long done = 0;
            while (done < size) done += in.transferTo(done, size - done, out);
            in.truncate(0);
        }
        return true;
    }

    static Path sibling(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }
}
