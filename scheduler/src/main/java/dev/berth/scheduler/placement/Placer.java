package dev.berth.scheduler.placement;

import dev.berth.model.spec.Resources;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first placement: every node that has room for the whole group instance is feasible; among
 * those the fullest afterwards wins (packing keeps whole nodes free for large work). Pure: it takes
 * values and returns a value. The multi-resource bin-packing with constraints replaces it later.
 */
public final class Placer {
    private Placer() {
    }

    public static Placement place(Resources ask, Collection<NodeRoom> nodes) {
        var reasons = new TreeMap<String, Integer>();
        NodeRoom best = null;
        double bestScore = -1;
        for (NodeRoom n : nodes) {
            String why = misfit(ask, n);
            if (why != null) {
                reasons.merge(why, 1, Integer::sum);
                continue;
            }
            double score = fullnessAfter(ask, n);
            if (score > bestScore) {
                best = n;
                bestScore = score;
            }
        }
        return best != null ? new Placement.Placed(best.nodeId()) : new Placement.Unplaced(reasons);
    }

    /** The first resource that does not fit, as the reason a user will read, or null when all fit. */
    static String misfit(Resources ask, NodeRoom n) {
        var cap = n.capacity();
        var used = n.used();
        if (used.cpu().plus(ask.cpu()).compareTo(cap.cpu()) > 0) return "insufficient cpu";
        if (used.memory().plus(ask.memory()).compareTo(cap.memory()) > 0) return "insufficient memory";
        if (cap.pids() > 0 && used.pids() + ask.pids() > cap.pids()) return "insufficient pids";
        for (Map.Entry<String, Long> e : ask.extended().entrySet()) {
            long have = cap.extended().getOrDefault(e.getKey(), 0L) - used.extended().getOrDefault(e.getKey(), 0L);
            if (e.getValue() > have) return "insufficient " + e.getKey();
        }
        return null;
    }

    private static double fullnessAfter(Resources ask, NodeRoom n) {
        double cpu = (double) (n.used().cpu().millicores() + ask.cpu().millicores()) / Math.max(1, n.capacity().cpu().millicores());
        double mem = (double) (n.used().memory().bytes() + ask.memory().bytes()) / Math.max(1, n.capacity().memory().bytes());
        return (cpu + mem) / 2;
    }
}
