package dev.berth.model.bus;

/** Event-bus addresses shared by schedulers and executors. */
public final class Addresses {
    /** Nodes send their heartbeats here; any scheduler member records them. */
    public static final String HEARTBEATS = "berth.nodes.heartbeat";
    /** Nodes send allocation status changes here. */
    public static final String ALLOCATION_UPDATES = "berth.allocations.updates";
    /** Request of an executor, answered by any member: every live node's address and container subnet, to route to. */
    public static final String NETWORK_PEERS = "berth.network.peers";
    /** Request of an executor without a configured subnet, answered by any member: the block of the container range it is leased. */
    public static final String NETWORK_LEASE = "berth.network.lease";
    /** Any member asks the leader for a placement pass (published; only the leader acts). */
    public static final String PLACEMENT_WANTED = "berth.placement.wanted";

    /** The addresses an executor listens on, one set per node: run, stop, logs and images. */
    public static final String NODE_ADDRESS_REGEX = "berth\\.node\\.([A-Za-z0-9][A-Za-z0-9._-]{0,62})\\.(alloc|stop|logs|images)";
    private static final java.util.regex.Pattern NODE_ADDRESS = java.util.regex.Pattern.compile(NODE_ADDRESS_REGEX);

    private Addresses() {
    }

    /** The node whose run, stop or logs address this is, or null. */
    public static String nodeOf(String address) {
        if (address == null) return null;
        var m = NODE_ADDRESS.matcher(address);
        return m.matches() ? m.group(1) : null;
    }

    /** Run an allocation: body {@code {"allocation": …, "task": …}}. */
    public static String nodeRun(String nodeId) {
        return "berth.node." + nodeId + ".alloc";
    }

    /** Stop an allocation: body {@code {"allocationId": …}}. */
    public static String nodeStop(String nodeId) {
        return "berth.node." + nodeId + ".stop";
    }

    /** The node's images: body {@code {"op": "list" | "pull" | "upload" | "import" | "remove" | "prune", …}}. */
    public static String nodeImages(String nodeId) {
        return "berth.node." + nodeId + ".images";
    }

    /** Read a chunk of an allocation's log: body {@code {"allocationId", "stream", "offset"}}. */
    public static String nodeLogs(String nodeId) {
        return "berth.node." + nodeId + ".logs";
    }
}
