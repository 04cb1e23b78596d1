package dev.berth.scheduler.state;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.berth.model.codec.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the scheduler's state across a full stop of the cluster. Every member appends every change
 * of the jobs, allocations and evaluations maps (Hazelcast sends each member all entry events) to a
 * journal of its own on local disk, so any member can bring the state back: each merges its journal
 * in at start, the newer record of an entry winning. The journal is compacted into a snapshot at start and when it
 * grows. Nodes are not journaled: they register again with their first heartbeat.
 *
 * <p>Why a local journal rather than a Kafka topic or a database: it needs nothing else running,
 * which keeps {@code berth up} one process, and every member holding a full copy means any
 * surviving disk restores the cluster.
 */
public final class StateJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateJournal.class);
    static final List<String> MAPS = List.of("berth.jobs", "berth.allocations", "berth.evaluations",
            dev.berth.scheduler.acl.Tokens.MAP, dev.berth.scheduler.acl.Tokens.BOOTSTRAP_MAP, ClusterState.QUEUES_MAP, ClusterState.SUBNETS_MAP);
    private static final int COMPACT_AFTER = 20_000;

    private final Path dir;
    private final HazelcastInstance hz;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("berth-journal").daemon(true).unstarted(r));
    private final Map<String, UUID> listeners = new LinkedHashMap<>();
    private BufferedWriter out;
    private int appended;

    public StateJournal(Path dir, HazelcastInstance hz) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.hz = hz;
    }

    /**
     * Merges this member's journal into the maps: an entry the cluster lacks is added, one it has is
     * replaced only by a newer record (an allocation's higher version, a job's stop, an evaluation's
     * completion). So whichever member of a restarting cluster comes first, a stale journal (of a
     * member that died earlier) cannot roll anything back. Returns the entries written. Blocking.
     */
    public int restore() throws IOException {
        var state = read();
        int n = 0;
        for (var e : state.entrySet()) {
            IMap<String, HazelcastJsonValue> map = hz.getMap(e.getKey());
            for (var entry : e.getValue().entrySet()) {
                String key = entry.getKey();
                map.lock(key);
                try {
                    HazelcastJsonValue current = map.get(key);
                    if (current == null || newer(e.getKey(), entry.getValue(), current.getValue())) {
                        map.set(key, new HazelcastJsonValue(entry.getValue()));
                        n++;
                    }
                } finally {
                    map.unlock(key);
                }
            }
        }
        if (n > 0) LOG.info("restored {} entries of scheduler state from {}", n, dir);
        return n;
    }

    /** Whether the journal's record is newer than the cluster's. */
    static boolean newer(String map, String journal, String cluster) throws IOException {
        var j = Json.mapper().readTree(journal);
        var c = Json.mapper().readTree(cluster);
        return switch (map) {
            case "berth.allocations" -> j.path("version").asLong() > c.path("version").asLong()
                    || (j.path("version").asLong() == c.path("version").asLong() && j.path("modifiedAt").asText().compareTo(c.path("modifiedAt").asText()) > 0);
            case "berth.jobs" -> j.path("stopped").asBoolean() && !c.path("stopped").asBoolean();
            // a token changes once, when it is revoked; a revocation is never undone
            case dev.berth.scheduler.acl.Tokens.MAP -> j.hasNonNull("revokedAt") && !c.hasNonNull("revokedAt");
            case dev.berth.scheduler.acl.Tokens.BOOTSTRAP_MAP -> false;
            case ClusterState.QUEUES_MAP -> j.path("modifiedAt").asText().compareTo(c.path("modifiedAt").asText()) > 0;
            // a lease, once made, stays the node's: the cluster's wins
            case ClusterState.SUBNETS_MAP -> false;
            default -> j.hasNonNull("completedAt") && !c.hasNonNull("completedAt");
        };
    }

    /** Compacts what is on disk, then appends every change from now on. */
    public void start() throws IOException {
        compact(read());
        out = Files.newBufferedWriter(journal(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        for (String name : MAPS) {
            IMap<String, HazelcastJsonValue> map = hz.getMap(name);
            listeners.put(name, map.addEntryListener(new Listener(name), true));
        }
    }

    private final class Listener implements EntryAddedListener<String, HazelcastJsonValue>,
            EntryUpdatedListener<String, HazelcastJsonValue>, EntryRemovedListener<String, HazelcastJsonValue> {
        private final String map;

        Listener(String map) {
            this.map = map;
        }

        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> e) {
            append(map, e.getKey(), e.getValue().getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> e) {
            append(map, e.getKey(), e.getValue().getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, HazelcastJsonValue> e) {
            append(map, e.getKey(), null);
        }
    }

    private void append(String map, String key, String value) {
        var line = new LinkedHashMap<String, Object>();
        line.put("map", map);
        line.put("key", key);
        if (value != null) line.put("value", value);
        String text = Json.write(line);
        writer.execute(() -> {
            try {
                out.write(text);
                out.newLine();
                out.flush();
                if (++appended >= COMPACT_AFTER) {
                    out.close();
                    compact(read());
                    out = Files.newBufferedWriter(journal(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    appended = 0;
                }
            } catch (IOException e) {
                LOG.error("cannot write the scheduler journal {}: {}", journal(), e.getMessage());
            }
        });
    }

    private Path journal() {
        return dir.resolve("journal.jsonl");
    }

    /** The state the journal describes: map → key → JSON value, the last write of each key winning. */
    Map<String, Map<String, String>> read() throws IOException {
        var state = new LinkedHashMap<String, Map<String, String>>();
        MAPS.forEach(m -> state.put(m, new LinkedHashMap<>()));
        for (Path file : List.of(dir.resolve("snapshot.jsonl"), journal())) {
            if (!Files.exists(file)) continue;
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                lines.forEach(line -> {
                    if (line.isBlank()) return;
                    try {
                        var node = Json.mapper().readTree(line);
                        var map = state.get(node.path("map").asText());
                        if (map == null) return;
                        if (node.hasNonNull("value")) map.put(node.path("key").asText(), node.path("value").asText());
                        else map.remove(node.path("key").asText());
                    } catch (IOException e) {
                        // a line cut short by a crash: the rest of the journal still counts
                        LOG.warn("skipping a damaged line of {}", file);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return state;
    }

    /** Writes the state as a snapshot (atomically) and starts an empty journal. */
    private void compact(Map<String, Map<String, String>> state) throws IOException {
        Path tmp = dir.resolve("snapshot.jsonl.tmp");
        try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (var m : state.entrySet()) {
                for (var e : m.getValue().entrySet()) {
                    var line = new LinkedHashMap<String, Object>();
                    line.put("map", m.getKey());
                    line.put("key", e.getKey());
                    line.put("value", e.getValue());
                    w.write(Json.write(line));
                    w.newLine();
                }
            }
        }
        Files.move(tmp, dir.resolve("snapshot.jsonl"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(journal());
    }

    /** Stops listening and writes out what is queued. */
    @Override
    public void close() {
        listeners.forEach((name, id) -> {
            try {
                hz.getMap(name).removeEntryListener(id);
            } catch (RuntimeException e) {
                // Hazelcast is already going down
            }
        });
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("the scheduler journal did not drain in 10 s");
            if (out != null) out.close();
        } catch (IOException | InterruptedException e) {
            LOG.warn("closing the scheduler journal: {}", e.toString());
        }
    }
}
