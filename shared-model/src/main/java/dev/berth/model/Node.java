package dev.berth.model;

import dev.berth.model.spec.Resources;
import java.time.Instant;
import java.util.Map;

/**
 * An executor node as the scheduler knows it. {@code lastHeartbeat} is the scheduler's clock at
 * receipt. {@code eligible} false: no new work lands there (running work stays); draining also
 * moves its service allocations elsewhere. {@code usage} is what its latest heartbeat said it uses;
 * {@code subnet} the block its containers' addresses come from (null: it did not say).
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Node(String id, String address, NodeStatus status, Resources capacity, Map<String, String> labels,
                   Map<String, String> attributes, Instant registeredAt, Instant lastHeartbeat, boolean eligible,
                   dev.berth.model.usage.NodeUsage usage, String subnet) {
    /** The attribute by which a node says it lets tasks use network mode host ({@code "true"}). */
    public static final String HOST_NETWORK = "network.host";

    public Node {
        labels = Map.copyOf(labels);
        attributes = Map.copyOf(attributes);
    }

    public Node withStatus(NodeStatus s) {
        return new Node(id, address, s, capacity, labels, attributes, registeredAt, lastHeartbeat, eligible, usage, subnet);
    }

    public Node withEligible(boolean e) {
        return new Node(id, address, status, capacity, labels, attributes, registeredAt, lastHeartbeat, e, usage, subnet);
    }

    /** Ready and eligible: the placement core may put new work here. */
    public boolean takesWork() {
        return status == NodeStatus.READY && eligible;
    }
}
