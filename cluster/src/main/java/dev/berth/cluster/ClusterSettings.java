package dev.berth.cluster;

import java.util.List;

/**
 * Where this scheduler member listens and whom it joins. Members are listed one {@code host:port}
 * each; the list includes this member itself. Executors are not members: they reach the cluster
 * over the event-bus bridge.
 *
 * @param bindHost   Hazelcast and the event bus listen here ({@code 0.0.0.0}: every address)
 * @param advertise  what the other members are told to connect to
 * @param busPort    the clustered event bus between members; 0 picks a free port
 * @param cpMembers  scheduler members that form the CP subsystem (Raft) behind the leader lock: 3 or
 *                   more for a real lease; 0 runs CP structures in Hazelcast's unsafe (AP) mode, which
 *                   only a one- or two-member cluster may do. Every member of a cluster sets the same number.
 * @param tls        the members' event bus speaks mutual TLS with these files, and takes only scheduler certificates
 *                   of the cluster's CA; null: plaintext. (Hazelcast's own port has no TLS in the open-source edition.)
 */
public record ClusterSettings(String clusterName, String bindHost, String advertise, int port, int busPort, List<String> members, int cpMembers,
                              dev.berth.model.config.TlsFiles tls) {
    public ClusterSettings {
        members = List.copyOf(members);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("cluster port " + port + " is out of range 1–65535");
        if (cpMembers != 0 && cpMembers < 3) throw new IllegalArgumentException("cpMembers must be 0 or at least 3, not " + cpMembers);
        if (members.size() >= 3 && cpMembers == 0) {
            throw new IllegalArgumentException(members.size() + " members are configured: the leader lock must not run in CP's unsafe mode; set cpMembers to 3 or more");
        }
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException("cluster member \"" + m + "\" is not host:port");
            }
        }
    }

    /** A one-member cluster on loopback, as {@code berth up} runs it. */
    public static ClusterSettings single(String name, int port) {
        return new ClusterSettings(name, "127.0.0.1", "127.0.0.1", port, 0, List.of("127.0.0.1:" + port), 0, null);
    }

    /** A majority of the configured members: fewer than this on one side of a split refuse writes. */
    public int quorum() {
        return members.size() / 2 + 1;
    }
}
