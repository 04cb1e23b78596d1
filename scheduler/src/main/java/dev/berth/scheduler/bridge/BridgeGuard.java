package dev.berth.scheduler.bridge;

import dev.berth.model.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;

/**
 * What one executor connection may do on the event bus. A connection acts as one node: the first
 * node id it uses (registering its addresses, or in the body of a heartbeat or update) binds it,
 * and from then on it may register only that node's addresses and send only messages that name
 * that node. Over mutual TLS the connection is bound from the start to the node its certificate
 * names, so that an executor can act only as itself. Not thread-safe: one per connection, called
 * on its event loop.
 */
final class BridgeGuard {
    /** Why a frame was refused, or null when it may pass. */
    record Verdict(String refusal) {
        static final Verdict PASS = new Verdict(null);

        boolean passes() {
            return refusal == null;
        }
    }

    private String nodeId;
    /** Whether the node came from the connection's certificate (not from its first frame). */
    private final boolean certified;

    /** @param certifiedNode the node the peer's certificate names; null: the first frame binds the connection */
    BridgeGuard(String certifiedNode) {
        this.nodeId = certifiedNode;
        this.certified = certifiedNode != null;
    }

    BridgeGuard() {
        this(null);
    }

    String nodeId() {
        return nodeId;
    }

    Verdict check(BridgeEventType type, JsonObject frame) {
        String address = frame == null ? null : frame.getString("address");
        return switch (type) {
            case SOCKET_PING, SOCKET_CREATED, SOCKET_CLOSED, SOCKET_IDLE, SOCKET_ERROR, RECEIVE -> Verdict.PASS;
            case REGISTER, UNREGISTER, REGISTERED -> bind(Addresses.nodeOf(address), "register " + address);
            case SEND -> inbound(address, frame)
                    // a reply to a command: the bridge itself passes only reply addresses it gave this connection
                    ? bind(nodeIn(frame), "send to " + address) : Verdict.PASS;
            case PUBLISH -> new Verdict("executors may not publish (" + address + ")");
        };
    }

    private static boolean inbound(String address, JsonObject frame) {
        return Addresses.HEARTBEATS.equals(address) || Addresses.ALLOCATION_UPDATES.equals(address) || Addresses.NETWORK_PEERS.equals(address)
                || Addresses.NETWORK_LEASE.equals(address);
    }

    private static String nodeIn(JsonObject frame) {
        return frame.getValue("body") instanceof JsonObject body ? body.getString("nodeId") : null;
    }

    private Verdict bind(String claimed, String what) {
        if (claimed == null) return new Verdict(what + ": names no node");
        if (nodeId == null) {
            nodeId = claimed;
            return Verdict.PASS;
        }
        return nodeId.equals(claimed) ? Verdict.PASS
                : new Verdict(what + ": this connection is node " + nodeId + (certified ? " (its certificate says so)" : "") + " and may not act as " + claimed);
    }
}
