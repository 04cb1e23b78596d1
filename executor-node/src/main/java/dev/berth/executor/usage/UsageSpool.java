package dev.berth.executor.usage;

import dev.berth.model.codec.Json;
import dev.berth.model.usage.UsageEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage events on local disk until Kafka has them: appended (one JSON line each) to segment files
 * named by their first sequence number, read back in order, and removed once acknowledged. The
 * next sequence number and the acknowledged one are kept in small files written atomically, so
 * that neither a broker outage nor an executor restart loses an event or reuses a number. Bounded:
 * past {@code maxBytes} the oldest segments go, and the log says how many events that dropped.
 */
public final class UsageSpool {
    private static final Logger LOG = LoggerFactory.getLogger(UsageSpool.class);
    static final long SEGMENT_BYTES = 1 << 20;

    private final Path dir;
    private final long maxBytes;
    private long nextSequence;
    private long acked;

    public UsageSpool(Path dir, long maxBytes) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
        nextSequence = readLong("next", 1);
        acked = readLong("acked", 0);
    }

    /** Numbers the events in order and appends them; returns them numbered. */
    public synchronized List<UsageEvent> append(List<UsageEvent> events) throws IOException {
        if (events.isEmpty()) return List.of();
        var numbered = new ArrayList<UsageEvent>();
        var text = new StringBuilder();
        for (UsageEvent e : events) {
            var n = e.withSequence(nextSequence++);
            numbered.add(n);
            text.append(Json.write(n)).append('\n');
        }
        Path segment = currentSegment(numbered.getFirst().sequence());
        Files.writeString(segment, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        writeLong("next", nextSequence);
        enforceBound();
        return numbered;
    }

    /** Up to {@code max} events after the acknowledged one, oldest first. */
    public synchronized List<UsageEvent> pending(int max) throws IOException {
        var out = new ArrayList<UsageEvent>();
        for (Path segment : segments()) {
            for (String line : Files.readAllLines(segment)) {
                if (line.isBlank()) continue;
                UsageEvent e;
                try {
                    e = Json.read(line, UsageEvent.class);
                } catch (RuntimeException torn) {
                    continue; // a line cut by a crash mid-write
                }
                if (e.sequence() > acked) out.add(e);
                if (out.size() >= max) return out;
            }
        }
        return out;
    }

    /** Kafka has every event up to {@code sequence}: segments wholly before it go. */
    public synchronized void acknowledge(long sequence) throws IOException {
        if (sequence <= acked) return;
        acked = sequence;
        writeLong("acked", acked);
        var segs = segments();
        for (int i = 0; i < segs.size(); i++) {
            long nextFirst = i + 1 < segs.size() ? firstOf(segs.get(i + 1)) : nextSequence;
            if (nextFirst - 1 <= acked) Files.deleteIfExists(segs.get(i));
        }
    }

    public synchronized long acknowledged() {
        return acked;
    }

    public synchronized long bytes() throws IOException {
        long sum = 0;
        for (Path p : segments()) sum += Files.size(p);
        return sum;
    }

    private Path currentSegment(long first) throws IOException {
        var segs = segments();
        if (!segs.isEmpty() && Files.size(segs.getLast()) < SEGMENT_BYTES) return segs.getLast();
        return dir.resolve(String.format("%020d.jsonl", first));
    }

    private void enforceBound() throws IOException {
        var segs = segments();
        long total = 0;
        for (Path p : segs) total += Files.size(p);
        while (total > maxBytes && segs.size() > 1) {
            Path oldest = segs.removeFirst();
            long dropped = firstOf(segs.getFirst()) - Math.max(firstOf(oldest), acked + 1);
            total -= Files.size(oldest);
            Files.delete(oldest);
            acked = Math.max(acked, firstOf(segs.getFirst()) - 1);
            writeLong("acked", acked);
            LOG.warn("usage spool over {} bytes: dropped {} unsent event(s) (Kafka unreachable too long)", maxBytes, Math.max(0, dropped));
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList());
        }
    }

    private static long firstOf(Path segment) {
        String n = segment.getFileName().toString();
        return Long.parseLong(n.substring(0, n.indexOf('.')));
    }

    private long readLong(String name, long fallback) throws IOException {
        Path p = dir.resolve(name);
        return Files.exists(p) ? Long.parseLong(Files.readString(p).trim()) : fallback;
    }

    private void writeLong(String name, long value) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, Long.toString(value), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
