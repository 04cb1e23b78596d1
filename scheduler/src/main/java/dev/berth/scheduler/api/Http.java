package dev.berth.scheduler.api;

import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.Callable;

/** Small helpers shared by the route handlers: JSON answers, error bodies, blocking state calls. */
final class Http {
    private Http() {
    }

    /** Thrown (or failed with) by a handler to answer with a status and a message. */
    static final class Problem extends RuntimeException {
        final int status;

        Problem(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static Problem notFound(String what, String id) {
        return new Problem(404, "no " + what + " with id \"" + id + "\"");
    }

    static <T> Future<T> blocking(Vertx vertx, Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    static void json(RoutingContext ctx, int status, Object body) {
        String text = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : Json.write(body);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
    }

    static void errors(RoutingContext ctx, List<FieldError> errors) {
        var list = new JsonArray();
        errors.forEach(e -> list.add(new JsonObject().put("path", e.path()).put("message", e.message())));
        json(ctx, 400, new JsonObject().put("errors", list));
    }

    /** The one failure handler: a Problem keeps its status; anything else is a 500 with its message. */
    static void failure(RoutingContext ctx) {
        Throwable t = cutOff(ctx.failure());
        int status = t instanceof Problem p ? p.status : ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message = t instanceof Problem ? t.getMessage() : switch (status) {
            case 404 -> "no such resource: " + ctx.request().method() + " " + ctx.request().path();
            case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
            case 413 -> "the request body is larger than the limit";
            default -> t == null ? "request failed with status " + status : t.toString();
        };
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        json(ctx, status, new JsonObject().put("error", message));
    }

    /**
     * A write refused by split-brain protection: this member sees fewer than a majority of the
     * scheduler members, so it refuses changes (another member of the majority takes them).
     */
    private static Throwable cutOff(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof com.hazelcast.splitbrainprotection.SplitBrainProtectionException) {
                return new Problem(503, "this scheduler member is cut off from the majority of the cluster and refuses changes"
                        + " (split-brain protection); send them to another member");
            }
        }
        return t;
    }

    /** Sends a future's value as JSON, or routes its failure to the failure handler. */
    static <T> void reply(RoutingContext ctx, int status, Future<T> f) {
        f.onSuccess(v -> json(ctx, status, v)).onFailure(ctx::fail);
    }
}
