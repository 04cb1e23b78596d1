package dev.berth.scheduler.placement;

import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * An amount of the resources that are shared out, as one number per dimension: cpu (millicores),
 * memory (bytes), then each extended resource by name. Mutable, for the inner loops of a pass.
 */
public final class Vec {
    private final List<String> dims;
    private final long[] v;

    private Vec(List<String> dims, long[] v) {
        this.dims = dims;
        this.v = v;
    }

    /** cpu, memory, and the extended resources named anywhere in {@code resources}, sorted. */
    public static List<String> dims(Collection<Resources> resources) {
        var extended = new TreeSet<String>();
        resources.forEach(r -> extended.addAll(r.extended().keySet()));
        var out = new ArrayList<String>(List.of("cpu", "memory"));
        out.addAll(extended);
        return List.copyOf(out);
    }

    public static Vec zero(List<String> dims) {
        return new Vec(dims, new long[dims.size()]);
    }

    public static Vec of(Resources r, List<String> dims) {
        long[] v = new long[dims.size()];
        v[0] = r.cpu().millicores();
        v[1] = r.memory().bytes();
        for (int d = 2; d < dims.size(); d++) v[d] = r.extended().getOrDefault(dims.get(d), 0L);
        return new Vec(dims, v);
    }

    /** A quota as a limit: a resource it does not name is unlimited. */
    public static Vec quota(QueueSpec.Quota q, List<String> dims) {
        long[] v = new long[dims.size()];
        v[0] = q.cpu() == null ? Long.MAX_VALUE : q.cpu().millicores();
        v[1] = q.memory() == null ? Long.MAX_VALUE : q.memory().bytes();
        for (int d = 2; d < dims.size(); d++) v[d] = q.extended().getOrDefault(dims.get(d), Long.MAX_VALUE);
        return new Vec(dims, v);
    }

    public List<String> dims() {
        return dims;
    }

    public long at(int d) {
        return v[d];
    }

    public Vec copy() {
        return new Vec(dims, v.clone());
    }

    public Vec add(Vec o, long times) {
        for (int d = 0; d < v.length; d++) v[d] += o.v[d] * times;
        return this;
    }

    public Vec subtract(Vec o, long times) {
        for (int d = 0; d < v.length; d++) v[d] -= o.v[d] * times;
        return this;
    }

    /** A new vector, this less {@code o}; an unlimited amount stays unlimited. */
    public Vec minus(Vec o) {
        long[] r = new long[v.length];
        for (int d = 0; d < v.length; d++) r[d] = v[d] == Long.MAX_VALUE ? Long.MAX_VALUE : v[d] - o.v[d];
        return new Vec(dims, r);
    }

    /** How many times {@code each} fits in this (0 when any dimension is short). */
    public int fits(Vec each) {
        long most = Integer.MAX_VALUE;
        for (int d = 0; d < v.length; d++) {
            if (each.v[d] <= 0) continue;
            if (v[d] < each.v[d]) return 0;
            most = Math.min(most, v[d] == Long.MAX_VALUE ? Integer.MAX_VALUE : v[d] / each.v[d]);
        }
        return (int) most;
    }

    /** The largest fraction of {@code total} this is in any dimension the total has (DRF's dominant share). */
    public double dominantShare(Vec total) {
        double most = 0;
        for (int d = 0; d < v.length; d++) if (total.v[d] > 0) most = Math.max(most, (double) v[d] / total.v[d]);
        return most;
    }

    /** Each amount lowered to {@code o}'s where that is less (in place). */
    public Vec atMost(Vec o) {
        for (int d = 0; d < v.length; d++) v[d] = Math.min(v[d], o.v[d]);
        return this;
    }

    /** Negative amounts (a node holding more than it offers) read as none left. */
    public Vec floorAtZero() {
        for (int d = 0; d < v.length; d++) if (v[d] < 0) v[d] = 0;
        return this;
    }

    public boolean isZero() {
        return Arrays.stream(v).allMatch(x -> x == 0);
    }

    /** "4" cores, "64Gi", or a plain count, for reasons people read. */
    static String show(String dim, long value) {
        return switch (dim) {
            case "cpu" -> Cpu.ofMillis(value).toString();
            case "memory" -> new ByteSize(value).toString();
            default -> Long.toString(value);
        };
    }

    @Override
    public String toString() {
        return dims + "=" + Arrays.toString(v);
    }
}
