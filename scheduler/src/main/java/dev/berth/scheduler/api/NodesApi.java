package dev.berth.scheduler.api;

import static dev.berth.scheduler.api.Http.blocking;
import static dev.berth.scheduler.api.Http.notFound;
import static dev.berth.scheduler.api.Http.reply;

import dev.berth.model.Allocation;
import dev.berth.model.Node;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.Resources;
import dev.berth.scheduler.state.ClusterState;
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

    NodesApi(Vertx vertx, ClusterState state) {
        this.vertx = vertx;
        this.state = state;
    }

    void routes(Router r) {
        r.get("/v1/nodes").handler(this::list);
        r.get("/v1/nodes/:id").handler(this::show);
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
