package dev.berth.model.codec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON lines written by one thread of its own, so that callers (an event
 * loop) never wait on the disk. Each line is flushed as it is written: a process killed with -9
 * loses none that were written. Past {@code rotateBytes} the file moves to {@code NAME.1}, replacing
 * an older one.
 */
public final class JsonLines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLines.class);

    private final Path file;
    private final long rotateBytes;
    private final ExecutorService writer;
    private BufferedWriter out;

    /** @param rotateBytes 0: never rotated */
    public JsonLines(Path file, String threadName, long rotateBytes) throws IOException {
        this.file = file;
        this.rotateBytes = rotateBytes;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = open();
        this.writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(threadName).daemon(true).unstarted(r));
    }

    private BufferedWriter open() throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    /** Writes {@code value} as one JSON line, soon. */
    public void append(Object value) {
        String text = Json.write(value);
        writer.execute(() -> {
            try {
                out.write(text);
                out.newLine();
                out.flush();
                if (rotateBytes > 0 && Files.size(file) > rotateBytes) {
                    out.close();
                    Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                    out = open();
                }
            } catch (IOException e) {
                LOG.error("cannot write {}: {}", file, e.getMessage());
            }
        });
    }

    /** Writes what is queued (waiting at most 5 s), then closes the file. */
    @Override
    public void close() throws IOException {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.close();
    }
}
