package dev.berth.scheduler.nodes;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.Heartbeat;
import dev.berth.model.Node;
import dev.berth.model.NodeStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what nodes say (heartbeats, allocation updates) and notices when they fall silent: a node
 * without a heartbeat for its TTL is marked down and its live allocations lost. Every scheduler
 * member runs one; each change is made under the key's lock, so running it on several is harmless.
 */
public final class NodeMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMonitor.class);
    private static final int RECONCILE_EVERY = 10;
    private static final Duration RECONCILE_GRACE = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private final Duration ttl;
    private final Runnable onChange;

    /** @param onChange called on the event loop when room appeared (a node joined, an allocation ended) */
    private final dev.berth.model.net.Subnet containerRange;
    private final int nodeSubnetPrefix;

    public NodeMonitor(Vertx vertx, ClusterState state, Clock clock, Duration ttl, Runnable onChange) {
        this(vertx, state, clock, ttl, onChange, dev.berth.model.net.Subnet.parse("10.210.0.0/16"), 24);
    }

    public NodeMonitor(Vertx vertx, ClusterState state, Clock clock, Duration ttl, Runnable onChange, dev.berth.model.net.Subnet containerRange,
                       int nodeSubnetPrefix) {
        this.containerRange = containerRange;
        this.nodeSubnetPrefix = nodeSubnetPrefix;
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.ttl = ttl;
        this.onChange = onChange;
    }

    public void start() {
        vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.HEARTBEATS, m -> {
            var hb = decode(m, Heartbeat.class);
            if (hb == null) return;
            vertx.executeBlocking(() -> record(hb), false).onSuccess(joined -> {
                if (joined) onChange.run();
            });
        });
        vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.ALLOCATION_UPDATES, m -> {
            var u = decode(m, AllocationUpdate.class);
            if (u == null) return;
            vertx.executeBlocking(() -> state.applyUpdate(u), false).onSuccess(applied -> {
                m.reply("ok");
                if (applied.isPresent() && applied.get().status().terminal()) onChange.run();
            });
        });
        // an executor without a subnet of its own asks for its block of the container range
        vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.NETWORK_LEASE, m -> vertx.executeBlocking(() -> lease(m.body()), false)
                .onSuccess(r -> {
                    switch (r) {
                        case SubnetLeases.Result.Leased l -> m.reply(new io.vertx.core.json.JsonObject().put("subnet", l.subnet().toString()));
                        case SubnetLeases.Result.Refused no -> m.fail(409, no.reason());
                    }
                }).onFailure(e -> m.fail(500, e.getMessage())));
        // an executor's question: where every other live node's containers are, to route to them
        vertx.eventBus().<io.vertx.core.json.JsonObject>consumer(Addresses.NETWORK_PEERS, m -> vertx.executeBlocking(() -> {
            var peers = new io.vertx.core.json.JsonArray();
            for (Node n : state.nodes()) {
                if (n.status() != NodeStatus.DOWN && n.subnet() != null) {
                    peers.add(new io.vertx.core.json.JsonObject().put("nodeId", n.id()).put("address", n.address()).put("subnet", n.subnet()));
                }
            }
            return new io.vertx.core.json.JsonObject().put("peers", peers);
        }, false).onSuccess(m::reply).onFailure(e -> m.fail(500, e.getMessage())));
        long period = Math.max(250, Math.min(1000, ttl.toMillis() / 4));
        vertx.setPeriodic(period, id -> vertx.executeBlocking(this::sweep, false));
    }

    /** A node with a subnet of its own that overlaps another node's: their containers cannot reach each other; said once as it joins. */
    private void warnIfOverlapping(Heartbeat hb) {
        try {
            var mine = dev.berth.model.net.Subnet.parse(hb.subnet());
            var others = new java.util.HashMap<String, dev.berth.model.net.Subnet>();
            state.subnetLeases().forEach((id, l) -> {
                if (!id.equals(hb.nodeId())) others.put(id, dev.berth.model.net.Subnet.parse(l.subnet()));
            });
            for (Node n : state.nodes()) {
                if (!n.id().equals(hb.nodeId()) && n.subnet() != null && n.status() != NodeStatus.DOWN) others.putIfAbsent(n.id(), dev.berth.model.net.Subnet.parse(n.subnet()));
            }
            String clash = SubnetLeases.clash(mine, others);
            if (clash != null) {
                LOG.warn("node {}'s subnet {} overlaps node {}'s {}: containers on the two cannot reach each other; give {} another --subnet (or none: a leased block)",
                        hb.nodeId(), mine, clash, others.get(clash), hb.nodeId());
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("node {} says its subnet is {}: {}", hb.nodeId(), hb.subnet(), e.getMessage());
        }
    }

    private SubnetLeases.Result lease(io.vertx.core.json.JsonObject body) {
        String nodeId = body.getString("nodeId");
        if (nodeId == null || nodeId.isBlank()) return new SubnetLeases.Result.Refused("a lease request names no node");
        dev.berth.model.net.Subnet previous;
        try {
            previous = body.getString("previous") == null ? null : dev.berth.model.net.Subnet.parse(body.getString("previous"));
        } catch (IllegalArgumentException e) {
            previous = null;
        }
        var before = previous;
        return state.underLeaseLock(() -> {
            var leases = state.subnetLeases();
            var others = new java.util.HashMap<String, dev.berth.model.net.Subnet>();
            leases.forEach((id, l) -> {
                if (!id.equals(nodeId)) others.put(id, dev.berth.model.net.Subnet.parse(l.subnet()));
            });
            // nodes with a subnet of their own (configured) hold it too
            for (Node n : state.nodes()) {
                if (!n.id().equals(nodeId) && n.subnet() != null && !others.containsKey(n.id())) {
                    try {
                        others.put(n.id(), dev.berth.model.net.Subnet.parse(n.subnet()));
                    } catch (IllegalArgumentException ignored) {
                        // a node that says nonsense holds nothing
                    }
                }
            }
            var held = leases.containsKey(nodeId) ? dev.berth.model.net.Subnet.parse(leases.get(nodeId).subnet()) : null;
            var r = SubnetLeases.lease(nodeId, held, before, others, containerRange, nodeSubnetPrefix);
            if (r instanceof SubnetLeases.Result.Leased l && l.fresh()) {
                state.putSubnetLease(new ClusterState.SubnetLease(nodeId, l.subnet().toString(), clock.instant()));
                LOG.info("node {} is leased {} of the container range {}", nodeId, l.subnet(), containerRange);
            }
            return r;
        });
    }

    /** The message's body as a record; null (the sender told why, the log too) when it is not one. */
    private static <T> T decode(io.vertx.core.eventbus.Message<io.vertx.core.json.JsonObject> m, Class<T> type) {
        try {
            return Json.read(m.body().encode(), type);
        } catch (RuntimeException e) {
            LOG.warn("{} that cannot be read: {}", type.getSimpleName(), e.getMessage());
            if (m.replyAddress() != null) m.fail(400, "not a " + type.getSimpleName() + ": " + e.getMessage());
            return null;
        }
    }

    /** Upserts the node; true when it is new or came back, so placement can use it at once. */
    private boolean record(Heartbeat hb) {
        Instant now = clock.instant();
        var before = new Node[1]; // what the node was, seen under the same lock as the update
        state.updateNode(hb.nodeId(), n -> {
            before[0] = n;
            return new Node(hb.nodeId(), hb.address(), n == null || n.status() == NodeStatus.DOWN ? NodeStatus.READY : n.status(),
                    hb.capacity(), hb.labels(), hb.attributes(), n == null ? now : n.registeredAt(), now, n == null || n.eligible(), hb.usage(), hb.subnet());
        });
        boolean cameBack = before[0] != null && before[0].status() == NodeStatus.DOWN;
        boolean joined = before[0] == null || cameBack;
        // Also every tenth heartbeat, not only when it came back: a node that returns while another member
        // is still marking it down can be seen back before its allocations are marked lost (found by the chaos suite).
        if (cameBack || hb.sequence() % RECONCILE_EVERY == 0) stopWhatWasReplaced(hb);
        if (joined || hb.sequence() % RECONCILE_EVERY == 0) loseWhatTheNodeDoesNotRun(hb, now);
        if (joined) LOG.info("node {} is ready at {} with cpu {} and memory {}", hb.nodeId(), hb.address(), hb.capacity().cpu(), hb.capacity().memory().human());
        if (joined && hb.subnet() != null) warnIfOverlapping(hb);
        return joined;
    }

    /** A node still runs what the cluster gave up on (it came back from the dead): stop it (it was lost, and maybe placed again). */
    private void stopWhatWasReplaced(Heartbeat hb) {
        for (String id : hb.runningAllocations()) {
            state.allocation(id).filter(a -> a.status().terminal() || !a.current() || a.stopRequested()).ifPresent(a -> {
                LOG.warn("node {} still runs allocation {}, which is {}: stopping it", hb.nodeId(), id, a.status().wire());
                vertx.eventBus().send(Addresses.nodeStop(hb.nodeId()), new io.vertx.core.json.JsonObject().put("allocationId", id));
            });
        }
    }

    /**
     * Allocations the cluster thinks run on a node that the node does not list (it restarted and lost
     * them, or never got them) are lost; the reschedule policy takes it from there. Recent changes are
     * left alone: the heartbeat may predate them.
     */
    private void loseWhatTheNodeDoesNotRun(Heartbeat hb, Instant now) {
        var running = new java.util.HashSet<>(hb.runningAllocations());
        Instant settled = now.minus(RECONCILE_GRACE);
        for (Allocation a : state.allocationsOfNode(hb.nodeId())) {
            if (a.status() != AllocationStatus.RUNNING || running.contains(a.id()) || a.modifiedAt().isAfter(settled)) continue;
            state.updateAllocation(a.id(), cur -> cur.status() == AllocationStatus.RUNNING && !cur.modifiedAt().isAfter(settled)
                    ? cur.end(AllocationStatus.LOST, "node " + hb.nodeId() + " no longer runs it", clock.instant()) : null)
                    .ifPresent(x -> LOG.warn("allocation {}: node {} no longer runs it; marked lost", a.id(), hb.nodeId()));
        }
    }

    private Void sweep() {
        Instant deadline = clock.instant().minus(ttl);
        for (Node n : state.nodes()) {
            if (n.status() == NodeStatus.DOWN || !n.lastHeartbeat().isBefore(deadline)) continue;
            var marked = state.updateNode(n.id(), cur -> cur.status() != NodeStatus.DOWN && cur.lastHeartbeat().isBefore(deadline)
                    ? cur.withStatus(NodeStatus.DOWN) : null);
            if (marked.isEmpty()) continue;
            LOG.warn("node {} missed its heartbeats for {}: marked down", n.id(), ttl);
            String why = "node " + n.id() + " stopped heartbeating";
            for (Allocation a : state.allocationsOfNode(n.id())) {
                if (!a.status().terminal()) {
                    state.updateAllocation(a.id(), cur -> cur.status().terminal() ? null : cur.end(AllocationStatus.LOST, why, clock.instant()));
                }
            }
        }
        return null;
    }
}
