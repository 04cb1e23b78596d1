package dev.berth.scheduler.capacity;

/**
 * A histogram with exponentially growing buckets whose samples lose weight with age (half-life),
 * as the Kubernetes VPA recommender keeps usage: recent behaviour counts more, old spikes fade.
 * Weights grow with time instead of old ones shrinking (the same ratio), renormalized when large.
 * Pure and not thread-safe.
 */
public final class DecayingHistogram {
    private final double first, ratio;
    private final double[] weights;
    private final double halfLifeSeconds;
    private double referenceSeconds = Double.NaN;
    private double total;
    private long samples;

    /** Buckets from {@code first} growing by {@code ratio} ({@code count} of them; the last takes everything above). */
    public DecayingHistogram(double first, double ratio, int count, double halfLifeSeconds) {
        this.first = first;
        this.ratio = ratio;
        this.weights = new double[count];
        this.halfLifeSeconds = halfLifeSeconds;
    }

    /** VPA-like cpu buckets: 0.01 core, +5% each, up to ~1000 cores; half-life 24 h. */
    public static DecayingHistogram cpu() {
        return new DecayingHistogram(0.01, 1.05, 240, 24 * 3600);
    }

    /** Memory buckets: 1 MiB, +5% each, up to ~1 TiB; half-life 24 h. */
    public static DecayingHistogram memory() {
        return new DecayingHistogram(1 << 20, 1.05, 290, 24 * 3600);
    }

    public void add(double value, double weight, double atSeconds) {
        if (Double.isNaN(referenceSeconds)) referenceSeconds = atSeconds;
        double w = weight * Math.pow(2, (atSeconds - referenceSeconds) / halfLifeSeconds);
        if (w > 1e100) { // renormalize to the newest sample
            double scale = Math.pow(2, (referenceSeconds - atSeconds) / halfLifeSeconds);
            for (int i = 0; i < weights.length; i++) weights[i] *= scale;
            total *= scale;
            referenceSeconds = atSeconds;
            w = weight;
        }
        weights[bucket(value)] += w;
        total += w;
        samples++;
    }

    int bucket(double value) {
        if (value <= first) return 0;
        int b = (int) Math.floor(Math.log(value / first) / Math.log(ratio)) + 1;
        return Math.min(b, weights.length - 1);
    }

    /** The upper bound of bucket b: a percentile is reported as its bucket's end (conservative, as VPA). */
    double upper(int b) {
        return first * Math.pow(ratio, b);
    }

    /** The value below which a fraction {@code p} of the (weighted) samples lie; 0 when empty. */
    public double percentile(double p) {
        if (total <= 0) return 0;
        double want = p * total, seen = 0;
        for (int b = 0; b < weights.length; b++) {
            seen += weights[b];
            if (seen >= want && weights[b] > 0) return upper(b);
        }
        return upper(weights.length - 1);
    }

    public long samples() {
        return samples;
    }

    public boolean isEmpty() {
        return samples == 0;
    }
}
