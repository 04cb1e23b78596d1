package dev.berth.cluster;

import java.util.List;

/**
 * Where this member listens and whom it joins. Members are listed one {@code host:port} each; the
 * list may include this member itself.
 *
 * @param liteMember executors join as lite members: they use the event bus and the cluster maps
 *                   but hold no partition of the scheduler's state
 * @param cpMembers  scheduler members that form the CP subsystem (Raft) behind the leader lock: 3 or
 *                   more for a real lease; 0 runs CP structures in Hazelcast's unsafe (AP) mode, as a
 *                   one- or two-member cluster must. Every member of a cluster sets the same number.
 */
public record ClusterSettings(String clusterName, String bindHost, int port, List<String> members, boolean liteMember, int cpMembers) {
    public ClusterSettings {
        members = List.copyOf(members);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("cluster port " + port + " is out of range 1–65535");
        if (cpMembers != 0 && cpMembers < 3) throw new IllegalArgumentException("cpMembers must be 0 or at least 3, not " + cpMembers);
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException("cluster member \"" + m + "\" is not host:port");
            }
        }
    }

    public ClusterSettings(String clusterName, String bindHost, int port, List<String> members, boolean liteMember) {
        this(clusterName, bindHost, port, members, liteMember, 0);
    }

    /** A one-member cluster on loopback, as {@code berth up} runs it. */
    public static ClusterSettings single(String name, int port) {
        return new ClusterSettings(name, "127.0.0.1", port, List.of("127.0.0.1:" + port), false, 0);
    }
}
