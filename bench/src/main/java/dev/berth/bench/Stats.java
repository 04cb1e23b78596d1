package dev.berth.bench;

import java.util.Arrays;

/** Percentiles of a sample, in milliseconds. */
record Stats(int n, double p50, double p95, double min, double max) {
    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Stats(s.length, pct(s, 50), pct(s, 95), s[0] / 1e6, s[s.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    String row(String what) {
        return String.format("%-44s %5d %9.2f %9.2f %9.2f %9.2f", what, n, p50, p95, min, max);
    }

    static String header() {
        return String.format("%-44s %5s %9s %9s %9s %9s", "measure (ms)", "runs", "p50", "p95", "min", "max");
    }
}
