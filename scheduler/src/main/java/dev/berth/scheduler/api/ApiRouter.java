package dev.berth.scheduler.api;

import dev.berth.scheduler.acl.Gate;
import dev.berth.scheduler.acl.Tokens;
import dev.berth.scheduler.leader.Leadership;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;

/** The REST API's routes, wired onto one router with one failure handler. */
public final class ApiRouter {
    private ApiRouter() {
    }

    /**
     * @param gate the first handler of every request: tokens and the audit log ({@link Gate})
     */
    public static Router create(Vertx vertx, ClusterState state, Clock clock, long maxBodyBytes, PlacementService placement, Leadership leadership,
                                dev.berth.scheduler.capacity.CapacityPlanner planner, java.util.function.IntSupplier executorConnections,
                                Gate gate, Tokens tokens) {
        Router r = Router.router(vertx);
        r.route().handler(gate);
        var body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        r.get("/health").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "ok")
                .put("leading", leadership.leading()).put("epoch", leadership.epoch())
                .put("leader", leadership.leader().orElse(null)).put("executors", executorConnections.getAsInt())));
        new JobsApi(vertx, state, clock, placement).routes(r, body);
        new AllocationsApi(vertx, state).routes(r);
        new NodesApi(vertx, state, clock, placement).routes(r, body);
        new QueuesApi(vertx, state, clock, placement).routes(r, body);
        new ImagesApi(vertx, state).routes(r, body);
        new CapacityApi(vertx, state, placement, planner).routes(r, body);
        new AclApi(vertx, tokens).routes(r, body);
        var events = new dev.berth.scheduler.ui.EventStream(vertx, new dev.berth.scheduler.ui.ChangeFeed(state));
        r.get("/v1/events").handler(events::handle);
        new dev.berth.scheduler.ui.UiRoutes(new dev.berth.scheduler.ui.UiAssets(ApiRouter.class.getClassLoader())).routes(r);
        r.get("/v1/evaluations/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            Http.reply(ctx, 200, Http.blocking(vertx, () -> state.evaluation(id).orElseThrow(() -> Http.notFound("evaluation", id))));
        });
        r.route().failureHandler(Http::failure);
        // Unmatched paths and methods never reach a failure handler: answer them in JSON too.
        r.errorHandler(404, Http::failure);
        r.errorHandler(405, Http::failure);
        return r;
    }
}
