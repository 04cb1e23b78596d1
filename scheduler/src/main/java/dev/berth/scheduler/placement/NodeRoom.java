package dev.berth.scheduler.placement;

import dev.berth.model.spec.Resources;

/** A node as placement sees it: what it has, and what its live allocations already hold. */
public record NodeRoom(String nodeId, Resources capacity, Resources used) {
    public NodeRoom with(Resources more) {
        return new NodeRoom(nodeId, capacity, used.plus(more));
    }
}
