package dev.berth.executor;

import dev.berth.model.Allocation;
import dev.berth.model.codec.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this node ran, one JSON line per start and end in {@code <data>/runs.jsonl}: when, which
 * allocation (job, group, index), under which leader epoch it was started, how it ended. The node's
 * own account, kept whatever the schedulers recorded — for an operator's "what ran here", and for
 * the chaos suite's checker, which reads every node's record after a fault. Each line is written
 * and flushed at once (a kill -9 loses none that were written); past 16 MiB the file moves to
 * {@code runs.jsonl.1}.
 */
final class RunRecord implements AutoCloseable {
    static final long ROTATE_BYTES = 16L << 20;

    private final JsonLines lines;

    RunRecord(Path file) throws IOException {
        this.lines = new JsonLines(file, "berth-runs", ROTATE_BYTES);
    }

    /** @param obeyed when the node took the run command (starts run concurrently, so they may end in another order) */
    void started(Allocation a, long epoch, Instant obeyed, Instant at) {
        var line = base("started", a, at);
        line.put("epoch", epoch);
        line.put("obeyed", obeyed.toString());
        lines.append(line);
    }

    void ended(Allocation a, String status, Integer exitCode, Integer signal, Instant at) {
        var line = base("ended", a, at);
        line.put("status", status);
        if (exitCode != null) line.put("exitCode", exitCode);
        if (signal != null) line.put("signal", signal);
        lines.append(line);
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

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
