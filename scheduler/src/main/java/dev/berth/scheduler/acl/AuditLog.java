package dev.berth.scheduler.acl;

import dev.berth.model.codec.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * Every write through the API, one JSON line each: when, who (the token's name and accessor id,
 * or "anonymous" with tokens off), what (method and path), from where, and the outcome (the
 * status). Written off the event loop ({@link JsonLines}).
 */
public final class AuditLog implements AutoCloseable {
    public record Entry(String time, String token, String accessor, String method, String path, String remote, int status) {
    }

    private final JsonLines lines;

    public AuditLog(Path file) throws IOException {
        this.lines = new JsonLines(file, "berth-audit", 0);
    }

    public Path file() {
        return lines.file();
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
        lines.append(line);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
