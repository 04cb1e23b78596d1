package dev.berth.scheduler.nodes;

import dev.berth.model.net.Subnet;
import java.util.Map;

/**
 * Which block of the cluster's container range a node gets, pure: the one it holds already; else
 * the one it held before (it says so from its own state, e.g. after the cluster's state was lost),
 * when nobody else holds any of it; else the first block no other node's subnet overlaps — leased
 * or its own configured one.
 */
public final class SubnetLeases {
    private SubnetLeases() {
    }

    public sealed interface Result {
        record Leased(Subnet subnet, boolean fresh) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    /**
     * @param others   every other node's subnet (leased or configured), by node id
     * @param held     this node's lease, or null
     * @param previous the block this node says it had, or null
     */
    public static Result lease(String nodeId, Subnet held, Subnet previous, Map<String, Subnet> others, Subnet range, int prefix) {
        if (held != null) return new Result.Leased(held, false);
        if (previous != null && previous.prefix() == prefix && inside(previous, range) && clash(previous, others) == null) {
            return new Result.Leased(previous, true);
        }
        long size = 1L << (32 - prefix);
        long first = Integer.toUnsignedLong(range.network());
        long last = first + (1L << (32 - range.prefix()));
        for (long at = first; at < last; at += size) {
            var candidate = new Subnet((int) at, prefix);
            if (clash(candidate, others) == null) return new Result.Leased(candidate, true);
        }
        return new Result.Refused("the container range " + range + " has no free /" + prefix + " left for node " + nodeId
                + " (" + others.size() + " other node(s) hold blocks of it); give the schedulers a larger --container-range or this node a --subnet of its own");
    }

    /** The node whose subnet overlaps {@code s}, or null. */
    public static String clash(Subnet s, Map<String, Subnet> others) {
        for (var e : others.entrySet()) {
            if (e.getValue().overlaps(s.network(), s.prefix())) return e.getKey();
        }
        return null;
    }

    static boolean inside(Subnet s, Subnet range) {
        return s.prefix() >= range.prefix() && range.contains(s.network());
    }
}
