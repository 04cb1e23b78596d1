package dev.berth.executor.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Host id ranges for containers with a user namespace: {@link #SIZE} ids each (0–65535 inside),
 * the n-th from {@code base + n·SIZE}, never one range to two containers at once — handed out and
 * taken back like addresses. The table is written to disk (atomically) on every change, so that a
 * restarted executor knows what its dead predecessor's containers held, and frees it.
 */
public final class UserRanges {
    public static final long SIZE = 65_536;
    /** Host ids are 32 bits, and the last ones (uid -1, the overflow uid) are off limits. */
    static final long HOST_IDS = 0xFFFF_0000L;

    private final long base;
    private final int count;
    private final Path file;
    private final BitSet used = new BitSet();
    private final Map<String, Integer> held = new LinkedHashMap<>();

    public UserRanges(long base, Path file) throws IOException {
        if (base < SIZE || base >= HOST_IDS - SIZE) throw new IllegalArgumentException("usernsBase: " + base + " is not in " + SIZE + "–" + (HOST_IDS - SIZE));
        this.base = base;
        this.count = (int) Math.min(Integer.MAX_VALUE, (HOST_IDS - base) / SIZE);
        this.file = file;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                if (f.length < 2) continue;
                int n = Integer.parseInt(f[1]);
                if (n < 0 || n >= count) continue; // the base changed: the old range means nothing now
                used.set(n);
                held.put(f[0], n);
            }
        }
    }

    /** The first host id of a free range, now {@code owner}'s. */
    public synchronized long allocate(String owner) throws IOException {
        if (held.containsKey(owner)) throw new IllegalStateException(owner + " already holds the ids from " + first(held.get(owner)));
        int n = used.nextClearBit(0);
        if (n >= count) throw new IOException("no free range of " + SIZE + " host ids left above " + base + " (" + count + " containers hold one each)");
        used.set(n);
        held.put(owner, n);
        save();
        return first(n);
    }

    /** Frees {@code owner}'s range; false when it held none. */
    public synchronized boolean release(String owner) throws IOException {
        Integer n = held.remove(owner);
        if (n == null) return false;
        used.clear(n);
        save();
        return true;
    }

    /** Ranges whose container is not among {@code alive} (an earlier run died before cleaning up): freed. */
    public synchronized void retainOnly(Set<String> alive) throws IOException {
        for (String owner : Set.copyOf(held.keySet())) if (!alive.contains(owner)) release(owner);
    }

    /** Each holder's first host id. */
    public synchronized Map<String, Long> held() {
        var out = new LinkedHashMap<String, Long>();
        held.forEach((k, v) -> out.put(k, first(v)));
        return out;
    }

    private long first(int n) {
        return base + n * SIZE;
    }

    private void save() throws IOException {
        var sb = new StringBuilder();
        held.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
