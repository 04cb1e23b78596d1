package dev.berth.executor;

import dev.berth.model.Allocation;
import dev.berth.model.codec.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node ran, one JSON line per start and end in {@code <data>/runs.jsonl}: when, which
 * allocation (job, group, index), under which leader epoch it was started, how it ended. The node's
 * own account, kept whatever the schedulers recorded — for an operator's "what ran here", and for
 * the chaos suite's checker, which reads every node's record after a fault. Each line is written
 * and flushed at once (a kill -9 loses none that were written); past 16 MiB the file moves to
 * {@code runs.jsonl.1}.
 */
final class RunRecord implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunRecord.class);
    static final long ROTATE_BYTES = 16L << 20;

    private final Path file;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("berth-runs").daemon(true).unstarted(r));
    private BufferedWriter out;

    RunRecord(Path file) throws IOException {
        this.file = file;
        this.out = open();
    }

    private BufferedWriter open() throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** @param obeyed when the node took the run command (starts run concurrently, so they may end in another order) */
    void started(Allocation a, long epoch, Instant obeyed, Instant at) {
        var line = base("started", a, at);
        line.put("epoch", epoch);
        line.put("obeyed", obeyed.toString());
        write(line);
    }

    void ended(Allocation a, String status, Integer exitCode, Integer signal, Instant at) {
        var line = base("ended", a, at);
        line.put("status", status);
        if (exitCode != null) line.put("exitCode", exitCode);
        if (signal != null) line.put("signal", signal);
        write(line);
    }

    private static Map<String, Object> base(String event, Allocation a, Instant at) {
        var line = new LinkedHashMap<String, Object>();
        line.put("time", at.toString());
        line.put("event", event);
        line.put("alloc", a.id());
        line.put("job", a.jobId());
        line.put("group", a.group());
        line.put("index", a.index());
        return line;
    }

    private void write(Map<String, Object> line) {
        String text = Json.write(line);
        writer.execute(() -> {
            try {
                out.write(text);
                out.newLine();
                out.flush();
                if (Files.size(file) > ROTATE_BYTES) {
                    out.close();
                    Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                    out = open();
                }
            } catch (IOException e) {
                LOG.error("cannot write the run record {}: {}", file, e.getMessage());
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
