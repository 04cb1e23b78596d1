package dev.berth.scheduler.acl;

import dev.berth.model.codec.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write through the API, one JSON line each: when, who (the token's name and accessor id,
 * or "anonymous" with tokens off), what (method and path), from where, and the outcome (the
 * status). Written by one thread of its own so that the event loop never waits on the disk.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    public record Entry(String time, String token, String accessor, String method, String path, String remote, int status) {
    }

    private final Path file;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("berth-audit").daemon(true).unstarted(r));
    private final BufferedWriter out;

    public AuditLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    public void record(Entry e) {
        var line = new LinkedHashMap<String, Object>();
        line.put("time", e.time());
        line.put("token", e.token());
        if (e.accessor() != null) line.put("accessor", e.accessor());
        line.put("method", e.method());
        line.put("path", e.path());
        line.put("remote", e.remote());
        line.put("status", e.status());
        String text = Json.write(line);
        writer.execute(() -> {
            try {
                out.write(text);
                out.newLine();
                out.flush();
            } catch (IOException ex) {
                LOG.error("cannot write the audit log {}: {}", file, ex.getMessage());
            }
        });
    }

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
