package dev.berth.executor.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The launcher's step times of recent container starts (the last {@link #KEPT}), for benchmarks:
 * how long each step took after the one before it, launch by launch.
 */
public final class LaunchSteps {
    static final int KEPT = 20_000;
    private final ConcurrentLinkedQueue<Map<String, Long>> launches = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    void record(Map<String, Long> steps) {
        launches.add(steps);
        if (size.incrementAndGet() > KEPT && launches.poll() != null) size.decrementAndGet();
    }

    /** Each step's durations in nanoseconds (since the step before it, in time order), in the order steps first happened. */
    public Map<String, long[]> durations() {
        var out = new LinkedHashMap<String, List<Long>>();
        for (Map<String, Long> steps : launches) {
            var ordered = new ArrayList<>(steps.entrySet());
            ordered.sort(Map.Entry.comparingByValue());
            for (int i = 1; i < ordered.size(); i++) {
                out.computeIfAbsent(ordered.get(i).getKey(), k -> new ArrayList<>()).add(ordered.get(i).getValue() - ordered.get(i - 1).getValue());
            }
        }
        var result = new LinkedHashMap<String, long[]>();
        out.forEach((k, v) -> result.put(k, v.stream().mapToLong(Long::longValue).toArray()));
        return result;
    }

    public void clear() {
        launches.clear();
        size.set(0);
    }
}
