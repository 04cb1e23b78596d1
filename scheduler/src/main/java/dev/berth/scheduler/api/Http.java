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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Http.class);
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

    /**
     * The one failure handler: a Problem keeps its status and its words (ours); a refusal of bad
     * input is a 400 with its reason; anything else is a 500 that names no exception — its text
     * and stack go to the log under an id the answer gives.
     */
    static void failure(RoutingContext ctx) {
        Throwable t = cutOff(ctx.failure());
        if (t instanceof IllegalArgumentException && t.getMessage() != null) t = new Problem(400, t.getMessage());
        int status = t instanceof Problem p ? p.status : ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message = t instanceof Problem ? t.getMessage() : switch (status) {
            case 404 -> "no such resource: " + ctx.request().method() + " " + ctx.request().path();
            case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
            case 413 -> "the request body is larger than the limit";
            case 400 -> "the request could not be read";
            default -> internal(ctx, t, status);
        };
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        json(ctx, status, new JsonObject().put("error", message));
    }

    private static String internal(RoutingContext ctx, Throwable t, int status) {
        String id = java.util.UUID.randomUUID().toString().substring(0, 8);
        LOG.error("{} {} failed with {} (error id {})", ctx.request().method(), ctx.request().path(), status, id, t);
        return "internal error " + id + " (the scheduler's log has it)";
    }

    /**
     * Whether the body may be a spec: JSON, YAML, or no Content-Type (read as JSON); any other type
     * is answered 415 here.
     */
    static boolean specBody(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null) return true;
        String t = type.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("json") || t.contains("yaml")) return true;
        json(ctx, 415, new JsonObject().put("error", "Content-Type " + type + " is neither JSON (application/json) nor YAML (application/yaml)"));
        return false;
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
