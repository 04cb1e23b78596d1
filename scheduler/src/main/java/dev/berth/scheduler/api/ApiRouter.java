package dev.berth.scheduler.api;

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

    public static Router create(Vertx vertx, ClusterState state, Clock clock, long maxBodyBytes, Runnable placementWanted) {
        Router r = Router.router(vertx);
        var body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        r.get("/health").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "ok")));
        new JobsApi(vertx, state, clock, placementWanted).routes(r, body);
        new AllocationsApi(vertx, state).routes(r);
        new NodesApi(vertx, state).routes(r);
        r.route().failureHandler(Http::failure);
        // Unmatched paths and methods never reach a failure handler: answer them in JSON too.
        r.errorHandler(404, Http::failure);
        r.errorHandler(405, Http::failure);
        return r;
    }
}
