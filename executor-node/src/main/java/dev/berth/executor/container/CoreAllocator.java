package dev.berth.executor.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which cores are dedicated to which container, and which stay shared by all the others. One core
 * always stays shared, so that containers without dedicated cores (and the executor) can run.
 */
final class CoreAllocator {
    private final List<Integer> cores;
    private final Map<String, List<Integer>> dedicated = new LinkedHashMap<>();

    CoreAllocator(List<Integer> cores) {
        this.cores = List.copyOf(new TreeSet<>(cores));
    }

    /** The lowest free cores, or empty when fewer than {@code n} can be spared. */
    synchronized Optional<List<Integer>> reserve(String id, int n) {
        var free = shared();
        if (n <= 0 || free.size() - n < 1) return Optional.empty();
        var picked = new ArrayList<>(free.subList(free.size() - n, free.size()));
        dedicated.put(id, List.copyOf(picked));
        return Optional.of(picked);
    }

    synchronized boolean release(String id) {
        return dedicated.remove(id) != null;
    }

    synchronized List<Integer> shared() {
        var free = new ArrayList<>(cores);
        dedicated.values().forEach(free::removeAll);
        return free;
    }

    int total() {
        return cores.size();
    }

    /** Kernel list syntax: "0-2,5". */
    static String format(List<Integer> list) {
        var sorted = new ArrayList<>(new TreeSet<>(list));
        var out = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            int start = sorted.get(i);
            int end = start;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == end + 1) end = sorted.get(++i);
            if (!out.isEmpty()) out.append(',');
            out.append(start == end ? Integer.toString(start) : start + "-" + end);
        }
        return out.toString();
    }

    static List<Integer> parse(String text) {
        var out = new ArrayList<Integer>();
        for (String part : text.trim().split(",")) {
            if (part.isBlank()) continue;
            String[] range = part.split("-");
            int a = Integer.parseInt(range[0].trim());
            int b = range.length > 1 ? Integer.parseInt(range[1].trim()) : a;
            for (int c = a; c <= b; c++) out.add(c);
        }
        return out;
    }
}
