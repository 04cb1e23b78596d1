package dev.berth.executor;

import dev.berth.executor.logs.LogReader;
import dev.berth.executor.logs.LogRotation;
import dev.berth.executor.transport.SchedulerLink.Inbound;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves chunks of the allocations' logs to the schedulers and rotates the files that grow too large. */
final class LogService {
    private static final Logger LOG = LoggerFactory.getLogger(LogService.class);
    static final Pattern ALLOC_ID = Pattern.compile("[a-zA-Z0-9-]{1,64}");

    private final Vertx vertx;
    private final Path allocsDir;
    private final ExecutorConfig config;

    LogService(Vertx vertx, Path allocsDir, ExecutorConfig config) {
        this.vertx = vertx;
        this.allocsDir = allocsDir;
        this.config = config;
    }

    void read(Inbound m) {
        String id = m.body().getString("allocationId", "");
        String stream = m.body().getString("stream", "stdout");
        if (!ALLOC_ID.matcher(id).matches() || !(stream.equals("stdout") || stream.equals("stderr"))) {
            m.fail(400, "bad log request");
            return;
        }
        long offset = m.body().getLong("offset", 0L);
        int max = Math.min(m.body().getInteger("max", 65536), 1 << 20);
        Path file = allocsDir.resolve(id).resolve(stream + ".log");
        vertx.executeBlocking(() -> {
                    long size = Files.exists(file) ? Files.size(file) : 0;
                    return new JsonObject().put("data", LogReader.read(file, offset, max)).put("size", size);
                }, false)
                .onSuccess(m::reply)
                .onFailure(e -> m.fail(500, "read " + file + ": " + e.getMessage()));
    }

    void rotate(List<String> allocationIds) {
        if (allocationIds.isEmpty()) return;
        vertx.executeBlocking(() -> {
            for (String id : allocationIds) {
                for (String stream : List.of("stdout.log", "stderr.log")) {
                    LogRotation.rotateIfLarger(allocsDir.resolve(id).resolve(stream), config.logMaxBytes(), config.logFiles());
                }
            }
            return null;
        }, false).onFailure(e -> LOG.warn("log rotation failed: {}", e.getMessage()));
    }
}
