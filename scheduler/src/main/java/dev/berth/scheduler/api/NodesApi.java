package dev.berth.scheduler.api;

import static dev.berth.scheduler.api.Http.blocking;
import static dev.berth.scheduler.api.Http.notFound;
import static dev.berth.scheduler.api.Http.reply;

import dev.berth.model.Allocation;
import dev.berth.model.Node;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.Resources;
import dev.berth.model.NodeStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.JobType;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.Ids;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Nodes with their capacity and what their live allocations hold. */
final class NodesApi {
    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private final PlacementService placement;

    NodesApi(Vertx vertx, ClusterState state, Clock clock, PlacementService placement) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.placement = placement;
    }

    void routes(Router r, BodyHandler body) {
        r.get("/v1/nodes").handler(this::list);
        r.get("/v1/nodes/:id").handler(this::show);
        r.get("/v1/nodes/:id/allocations").handler(ctx -> {
            String id = ctx.pathParam("id");
            reply(ctx, 200, blocking(vertx, () -> {
                state.node(id).orElseThrow(() -> notFound("node", id));
                return new JsonArray(Json.write(state.allocationsOfNode(id).stream().filter(a -> !a.status().terminal()).toList()));
            }));
        });
        r.post("/v1/nodes/:id/drain").handler(body).handler(this::drain);
        r.post("/v1/nodes/:id/eligibility").handler(body).handler(this::eligibility);
        r.delete("/v1/nodes/:id").handler(this::remove);
    }

    /**
     * Forgets a node that is down and holds no live allocation, and frees its block of the container
     * range for another node. A node still heartbeating, or with work the scheduler has not yet
     * marked lost, is refused with why: removing it would strand what runs there.
     */
    private void remove(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> {
            Node n = state.node(id).orElseThrow(() -> notFound("node", id));
            if (n.status() != NodeStatus.DOWN) {
                throw new Http.Problem(409, "node " + id + " is " + n.status().name().toLowerCase(java.util.Locale.ROOT)
                        + ": stop its executor first (berth node drain " + id + " moves its services away), then remove it once it is down");
            }
            var live = state.allocationsOfNode(id).stream().filter(a -> !a.status().terminal()).map(Allocation::id).toList();
            if (!live.isEmpty()) {
                throw new Http.Problem(409, "node " + id + " still holds " + live.size() + " allocation(s) not yet ended (" + String.join(", ", live.stream().limit(5).toList())
                        + "); they are marked lost shortly after the node went down");
            }
            String freed = state.underLeaseLock(() -> {
                var lease = state.subnetLeases().get(id);
                state.removeSubnetLease(id);
                state.removeNode(id);
                return lease == null ? null : lease.subnet();
            });
            return new JsonObject().put("removed", id).put("freedSubnet", freed);
        }));
    }

    /** Body {@code {"enable": true}} (the default) or false to end a drain. */
    private void drain(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Boolean enable = flag(ctx, "enable", true);
        if (enable == null) return;
        reply(ctx, 200, blocking(vertx, () -> {
            state.node(id).orElseThrow(() -> notFound("node", id));
            var now = clock.instant();
            state.updateNode(id, n -> n.status() == NodeStatus.DOWN ? null : n.withStatus(enable ? NodeStatus.DRAINING : NodeStatus.READY));
            int moved = enable ? migrate(id, now) : 0;
            placement.requestPassSoon(vertx);
            return view(state.node(id).orElseThrow(), state.allocationsOfNode(id)).put("migrating", moved);
        }));
    }

    /**
     * Service allocations on a draining node get a replacement, placed elsewhere, and are stopped; batch
     * allocations run to their end (no new work lands on the node meanwhile).
     */
    private int migrate(String nodeId, java.time.Instant now) {
        int moved = 0;
        for (Allocation a : state.allocationsOfNode(nodeId)) {
            if (a.status().terminal() || a.stopRequested()) continue;
            var job = state.job(a.jobId());
            if (job.isEmpty() || job.get().spec().type() != JobType.SERVICE) continue;
            var replacement = Allocation.pending(Ids.allocation(), a.jobId(), a.group(), a.index(), a.task(), a.resources(), now);
            state.createAllocation(replacement);
            state.updateAllocation(a.id(), cur -> cur.status().terminal() ? null : cur.stopping(now).waiting("node " + nodeId + " is draining", now));
            vertx.eventBus().send(Addresses.nodeStop(nodeId), new JsonObject().put("allocationId", a.id()));
            moved++;
        }
        return moved;
    }

    /** Body {@code {"eligible": false}}: no new work lands on the node; its running work stays. */
    private void eligibility(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Boolean eligible = flag(ctx, "eligible", null);
        if (eligible == null) return;
        reply(ctx, 200, blocking(vertx, () -> {
            state.node(id).orElseThrow(() -> notFound("node", id));
            state.updateNode(id, n -> n.withEligible(eligible));
            placement.requestPassSoon(vertx);
            return view(state.node(id).orElseThrow(), state.allocationsOfNode(id));
        }));
    }

    /** A boolean field of the JSON body; answers 400 and returns null when it is missing (without fallback) or not a boolean. */
    private static Boolean flag(RoutingContext ctx, String field, Boolean fallback) {
        JsonObject body;
        try {
            String text = ctx.body().asString();
            body = text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
        } catch (RuntimeException e) {
            Http.errors(ctx, List.of(new FieldError("", "not valid JSON: " + e.getMessage())));
            return null;
        }
        Object v = body.getValue(field);
        if (v == null && fallback != null) return fallback;
        if (!(v instanceof Boolean b)) {
            Http.errors(ctx, List.of(new FieldError(field, v == null ? "is required (true or false)" : "must be true or false")));
            return null;
        }
        return b;
    }

    private void list(RoutingContext ctx) {
        reply(ctx, 200, blocking(vertx, () -> {
            var out = new JsonArray();
            for (Node n : state.nodes()) out.add(view(n, state.allocationsOfNode(n.id())));
            return out;
        }));
    }

    private void show(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> {
            Node n = state.node(id).orElseThrow(() -> notFound("node", id));
            return view(n, state.allocationsOfNode(id));
        }));
    }

    static JsonObject view(Node n, List<Allocation> allocs) {
        var live = allocs.stream().filter(a -> !a.status().terminal()).toList();
        Resources allocated = live.stream().map(Allocation::resources).reduce(Resources.NONE, Resources::plus);
        var v = new JsonObject(Json.write(n));
        v.put("allocated", new JsonObject(Json.write(allocated)));
        v.put("allocations", live.size());
        return v;
    }
}
