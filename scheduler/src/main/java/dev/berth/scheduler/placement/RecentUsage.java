package dev.berth.scheduler.placement;

import java.time.Duration;
import java.time.Instant;

/**
 * A queue's recent usage: the integral over time of the dominant share it held, each moment's
 * weight halving every half-life (Slurm's decayed usage). Pure.
 *
 * @param shareSeconds the decayed integral, in share × seconds
 * @param at           when it was last brought up to date
 */
public record RecentUsage(double shareSeconds, Instant at) {
    public static RecentUsage none(Instant now) {
        return new RecentUsage(0, now);
    }

    /**
     * Brought forward to {@code now}, with the queue having held {@code share} since {@code at}: the
     * old integral decays, and the new stretch adds its exactly decayed part.
     */
    public RecentUsage advance(double share, Instant now, Duration halfLife) {
        double dt = Math.max(0, Duration.between(at, now).toNanos() / 1e9);
        double h = halfLife.toNanos() / 1e9;
        double decay = Math.pow(2, -dt / h);
        double added = share * h / Math.log(2) * (1 - decay);
        return new RecentUsage(shareSeconds * decay + added, now);
    }

    /**
     * The decayed average share: what the integral would be worth if the queue had held one share
     * steadily forever is {@code h / ln 2}, so this is a fraction of the cluster, comparable with what
     * it holds now.
     */
    public double average(Duration halfLife) {
        return shareSeconds * Math.log(2) / (halfLife.toNanos() / 1e9);
    }
}
