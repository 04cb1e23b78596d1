package dev.berth.model.bus;

/** Event-bus addresses shared by schedulers and executors. */
public final class Addresses {
    /** Nodes send their heartbeats here; any scheduler member records them. */
    public static final String HEARTBEATS = "berth.nodes.heartbeat";
    /** Nodes send allocation status changes here. */
    public static final String ALLOCATION_UPDATES = "berth.allocations.updates";
    /** Any member asks the leader for a placement pass (published; only the leader acts). */
    public static final String PLACEMENT_WANTED = "berth.placement.wanted";

    private Addresses() {
    }

    /** Run an allocation: body {@code {"allocation": …, "task": …}}. */
    public static String nodeRun(String nodeId) {
        return "berth.node." + nodeId + ".alloc";
    }

    /** Stop an allocation: body {@code {"allocationId": …}}. */
    public static String nodeStop(String nodeId) {
        return "berth.node." + nodeId + ".stop";
    }

    /** Read a chunk of an allocation's log: body {@code {"allocationId", "stream", "offset"}}. */
    public static String nodeLogs(String nodeId) {
        return "berth.node." + nodeId + ".logs";
    }
}
