package dev.berth.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The newest leader epoch this node has seen, kept on disk: a run command from an older leader is
 * refused, also after the executor restarted (a deposed leader could otherwise place work on a
 * node that forgot whom it obeys).
 */
final class EpochGuard {
    private final Path file;
    private long highest;

    private EpochGuard(Path file, long highest) {
        this.file = file;
        this.highest = highest;
    }

    /** Blocking. */
    static EpochGuard load(Path file) throws IOException {
        if (!Files.exists(file)) return new EpochGuard(file, 0);
        String text = Files.readString(file).trim();
        try {
            return new EpochGuard(file, text.isEmpty() ? 0 : Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IOException("read " + file + ": \"" + text + "\" is not an epoch; remove the file if it was damaged", e);
        }
    }

    long highest() {
        return highest;
    }

    /**
     * Null when a command of {@code epoch} may run, else why not. A newer epoch is written (and
     * synced) before it is admitted: a few bytes, only when the leader changes.
     */
    String admit(long epoch) {
        if (epoch < highest) return "stale leader epoch " + epoch + " (this node has seen " + highest + ")";
        if (epoch > highest) {
            try {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(tmp, Long.toString(epoch));
                try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                return "cannot record leader epoch " + epoch + " in " + file + ": " + e.getMessage();
            }
            highest = epoch;
        }
        return null;
    }
}
