package dev.berth.bench;

import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.scheduler.placement.Ask;
import dev.berth.scheduler.placement.Candidate;
import dev.berth.scheduler.placement.PlacementCore;
import dev.berth.scheduler.placement.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Placement rate (10,000 nodes, 100,000 tasks of mixed shapes) and packing quality on
 * multi-dimensional vector bin-packing instances whose optimum is known, beside
 * first-fit-decreasing computed here on the same instances.
 */
final class PlacementBench {
    public static void main(String[] args) {
        long seed = 42;
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals("--seed")) seed = Long.parseLong(args[i + 1]);
        rate(seed);
        quality(seed);
    }

    static Resources res(long millis, long mib) {
        return new Resources(Cpu.ofMillis(millis), ByteSize.mebibytes(mib), 0, IoLimits.UNLIMITED, Map.of());
    }

    static void rate(long seed) {
        var rnd = new Random(seed);
        var nodes = new ArrayList<Candidate>();
        long[][] sizes = {{16_000, 64 << 10}, {32_000, 128 << 10}, {64_000, 256 << 10}};
        for (int i = 0; i < 10_000; i++) {
            long[] s = sizes[rnd.nextInt(sizes.length)];
            nodes.add(Candidate.empty(String.format("n%05d", i), res(s[0], s[1]), Map.of()));
        }
        var asks = new ArrayList<Ask>();
        long[] cpus = {250, 500, 1000, 2000, 4000};
        long[] mems = {256, 512, 1024, 2048, 4096, 8192};
        for (int g = 0; g < 200; g++) asks.add(Ask.of("job" + g + "/g", 500, res(cpus[rnd.nextInt(cpus.length)], mems[rnd.nextInt(mems.length)])));
        PlacementCore.place(nodes.subList(0, 1000), asks.subList(0, 20)); // warm the JIT a little
        long t0 = System.nanoTime();
        Plan plan = PlacementCore.place(nodes, asks);
        double ms = (System.nanoTime() - t0) / 1e6;
        int placed = plan.placedCount();
        var used = new HashSet<String>();
        plan.placed().values().forEach(used::addAll);
        System.out.printf("Placement rate: 10,000 nodes (16/32/64 cores), 100,000 tasks in 200 groups of mixed shapes%n");
        System.out.printf("  placed %,d, unplaced %,d, nodes used %,d, %.0f ms -> %,.0f placements/s (target >= 10,000/s)%n%n",
                placed, plan.unplacedCount(), used.size(), ms, placed / (ms / 1000));
    }

    /** An instance: bins of one capacity, items (vectors in units), and its known optimum. */
    record Instance(String name, long[] capacity, List<long[]> items, int optimum) {
    }

    static void quality(long seed) {
        var rnd = new Random(seed);
        var instances = new ArrayList<Instance>();
        instances.add(ffdWorstCase(50));
        instances.add(perfect("random 2-d, 3-5 items per bin", 2, 200, 3, 5, rnd));
        instances.add(perfect("random 3-d, 3-5 items per bin", 3, 200, 3, 5, rnd));
        instances.add(perfect("random 2-d, 2-3 items per bin", 2, 300, 2, 3, rnd));
        instances.add(complementary(150, rnd));
        instances.add(balancedTrap(200, rnd));
        System.out.println("Packing quality: nodes used against the known optimum (each instance's items exactly fill OPT nodes)");
        System.out.printf("%-40s %6s %6s %8s %6s %8s%n", "instance", "OPT", "FFD", "FFD/OPT", "Berth", "Berth/OPT");
        double worst = 0;
        for (Instance in : instances) {
            int ffd = ffd(in);
            int berth = berth(in);
            worst = Math.max(worst, (double) berth / in.optimum());
            System.out.printf("%-40s %6d %6d %8.3f %6d %8.3f%n", in.name(), in.optimum(), ffd, (double) ffd / in.optimum(), berth, (double) berth / in.optimum());
        }
        System.out.printf("worst Berth/OPT %.3f (target <= 1.10)%n", worst);
    }

    /** Johnson's 11/9 family: OPT 9k, FFD 11k. */
    static Instance ffdWorstCase(int k) {
        var items = new ArrayList<long[]>();
        for (int i = 0; i < 6 * k; i++) items.add(new long[] {510, 10});
        for (int i = 0; i < 6 * k; i++) items.add(new long[] {270, 10});
        for (int i = 0; i < 6 * k; i++) items.add(new long[] {260, 10});
        for (int i = 0; i < 12 * k; i++) items.add(new long[] {230, 10});
        return new Instance("FFD worst case (11/9), x" + k, new long[] {1000, 1000}, items, 9 * k);
    }

    /** Each of {@code bins} bins cut into random items that fill it exactly in every dimension. */
    static Instance perfect(String name, int dims, int bins, int minItems, int maxItems, Random rnd) {
        long unit = 1000;
        var items = new ArrayList<long[]>();
        for (int b = 0; b < bins; b++) {
            int k = minItems + rnd.nextInt(maxItems - minItems + 1);
            long[][] cut = new long[k][dims];
            for (int d = 0; d < dims; d++) {
                long[] points = new long[k + 1];
                points[k] = unit;
                for (int i = 1; i < k; i++) points[i] = 50 + rnd.nextInt((int) unit - 100);
                Arrays.sort(points, 1, k);
                for (int i = 0; i < k; i++) cut[i][d] = Math.max(1, points[i + 1] - points[i]);
                long sum = Arrays.stream(cut).mapToLong(c -> c[0]).sum();
                if (d == 0 && sum != unit) cut[k - 1][0] += unit - sum;
            }
            for (long[] c : cut) items.add(c);
        }
        long[] cap = new long[dims];
        Arrays.fill(cap, unit);
        // Items may overshoot by rounding: recompute the optimum's lower bound honestly.
        return new Instance(name, cap, items, bins);
    }

    /** Pairs that only fit together: (0.7, 0.3) + (0.3, 0.7) per node, shuffled with near-misses. */
    static Instance complementary(int bins, Random rnd) {
        var items = new ArrayList<long[]>();
        for (int b = 0; b < bins; b++) {
            long x = 550 + rnd.nextInt(300);
            long y = 150 + rnd.nextInt(300);
            items.add(new long[] {x, y});
            items.add(new long[] {1000 - x, 1000 - y});
        }
        return new Instance("complementary pairs, 2-d", new long[] {1000, 1000}, items, bins);
    }

    /**
     * Each node's optimum holds one cpu-heavy, one memory-heavy and one balanced item; sorted by
     * size the balanced items come first and pair up with each other, leaving the rest to open
     * a node each: first-fit-decreasing ends near 1.5 times the optimum.
     */
    static Instance balancedTrap(int bins, Random rnd) {
        var items = new ArrayList<long[]>();
        for (int b = 0; b < bins; b++) {
            long c = 340 + rnd.nextInt(20);   // balanced (c, c): the largest by sum
            long a = 590 + rnd.nextInt(20);
            long m = 10 + rnd.nextInt(20);
            items.add(new long[] {c, c});
            items.add(new long[] {a, m});                         // cpu-heavy
            items.add(new long[] {1000 - c - a, 1000 - c - m});   // memory-heavy
        }
        return new Instance("balanced-item trap, 2-d", new long[] {1000, 1000}, items, bins);
    }

    /** First-fit decreasing by the sum of an item's dimensions. */
    static int ffd(Instance in) {
        var items = new ArrayList<>(in.items());
        items.sort(Comparator.comparingLong((long[] v) -> -Arrays.stream(v).sum()));
        var bins = new ArrayList<long[]>();
        for (long[] item : items) {
            long[] home = null;
            for (long[] bin : bins) {
                boolean fits = true;
                for (int d = 0; d < item.length; d++) fits &= bin[d] + item[d] <= in.capacity()[d];
                if (fits) {
                    home = bin;
                    break;
                }
            }
            if (home == null) {
                home = new long[item.length];
                bins.add(home);
            }
            for (int d = 0; d < item.length; d++) home[d] += item[d];
        }
        return bins.size();
    }

    /** The placement core on the instance: dims as cpu (millis) and memory (MiB). */
    static int berth(Instance in) {
        var nodes = new ArrayList<Candidate>();
        int extra = in.items().size();
        for (int i = 0; i < in.optimum() * 2 + 10 && i < extra + 10; i++) {
            var cap = new Resources(Cpu.ofMillis(in.capacity()[0]), ByteSize.mebibytes(in.capacity()[1]), 0, IoLimits.UNLIMITED,
                    in.capacity().length > 2 ? Map.of("x", in.capacity()[2]) : Map.of());
            nodes.add(Candidate.empty(String.format("n%05d", i), cap, Map.of()));
        }
        // Identical items are one ask with a count, as the tasks of a group are.
        var counts = new java.util.LinkedHashMap<List<Long>, Integer>();
        for (long[] item : in.items()) counts.merge(Arrays.stream(item).boxed().toList(), 1, Integer::sum);
        var asks = new ArrayList<Ask>();
        int i = 0;
        for (var e : counts.entrySet()) {
            List<Long> item = e.getKey();
            var r = new Resources(Cpu.ofMillis(item.get(0)), ByteSize.mebibytes(item.get(1)), 0, IoLimits.UNLIMITED,
                    item.size() > 2 ? Map.of("x", item.get(2)) : Map.of());
            asks.add(Ask.of("i" + i++, e.getValue(), r));
        }
        Plan plan = PlacementCore.place(nodes, asks);
        if (plan.unplacedCount() > 0) throw new IllegalStateException(in.name() + ": " + plan.unplacedCount() + " unplaced");
        var used = new HashSet<String>();
        plan.placed().values().forEach(used::addAll);
        return used.size();
    }
}
