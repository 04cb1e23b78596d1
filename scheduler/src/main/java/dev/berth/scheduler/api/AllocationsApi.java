package dev.berth.scheduler.api;

import static dev.berth.scheduler.api.Http.blocking;
import static dev.berth.scheduler.api.Http.notFound;
import static dev.berth.scheduler.api.Http.reply;

import dev.berth.model.Allocation;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Inspect allocations and read their logs, which stay on the node that ran them. */
final class AllocationsApi {
    private static final int CHUNK = 64 * 1024;
    private static final long FOLLOW_POLL_MS = 250;

    private final Vertx vertx;
    private final ClusterState state;

    AllocationsApi(Vertx vertx, ClusterState state) {
        this.vertx = vertx;
        this.state = state;
    }

    void routes(Router r) {
        r.get("/v1/allocations").handler(this::list);
        r.get("/v1/allocations/:id").handler(this::show);
        r.get("/v1/allocations/:id/logs").handler(this::logs);
    }

    /**
     * Allocations by job, status and time, with what each used (Slurm's sacct): {@code since} (a
     * duration back from now, or an instant) keeps those that had not ended by then.
     */
    private void list(RoutingContext ctx) {
        String job = ctx.queryParams().get("job");
        String status = ctx.queryParams().get("status");
        String since = ctx.queryParams().get("since");
        if (status != null && java.util.Arrays.stream(dev.berth.model.AllocationStatus.values()).noneMatch(s -> s.wire().equals(status))) {
            Http.errors(ctx, List.of(new FieldError("status", "\"" + status + "\" is not one of pending, running, complete, failed, lost")));
            return;
        }
        java.time.Instant cutoff;
        try {
            cutoff = since == null ? null : since.contains("T") ? java.time.Instant.parse(since)
                    : java.time.Instant.now().minus(dev.berth.model.units.Durations.parse(since));
        } catch (RuntimeException e) {
            Http.errors(ctx, List.of(new FieldError("since", "\"" + since + "\" is neither a duration (1h, 30m) nor an instant (2026-12-01T10:00:00Z)")));
            return;
        }
        reply(ctx, 200, blocking(vertx, () -> {
            var out = new io.vertx.core.json.JsonArray();
            for (Allocation a : state.allocationsWhere(job == null || job.isBlank() ? null : job, status)) {
                if (cutoff != null && a.finishedAt() != null && a.finishedAt().isBefore(cutoff)) continue;
                var view = new JsonObject(Json.write(a));
                if (a.startedAt() != null) {
                    var end = a.finishedAt() != null ? a.finishedAt() : java.time.Instant.now();
                    view.put("elapsedSeconds", java.time.Duration.between(a.startedAt(), end).toMillis() / 1000.0);
                }
                out.add(view);
            }
            return out;
        }));
    }

    private void show(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> state.allocation(id).orElseThrow(() -> notFound("allocation", id))));
    }

    /**
     * Streams a log from the node, chunk by chunk. With {@code follow=true} it keeps polling the node
     * until the allocation has ended and its log has been read to the end.
     */
    private void logs(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String stream = ctx.queryParams().get("stream") == null ? "stdout" : ctx.queryParams().get("stream");
        String followText = ctx.queryParams().get("follow") == null ? "false" : ctx.queryParams().get("follow");
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            Http.errors(ctx, List.of(new FieldError("stream", "\"" + stream + "\" is not one of stdout, stderr")));
            return;
        }
        if (!followText.equals("true") && !followText.equals("false")) {
            Http.errors(ctx, List.of(new FieldError("follow", "\"" + followText + "\" is not true or false")));
            return;
        }
        boolean follow = followText.equals("true");
        blocking(vertx, () -> state.allocation(id).orElseThrow(() -> notFound("allocation", id)))
                .onSuccess(a -> {
                    var res = ctx.response().setChunked(true).putHeader("Content-Type", "text/plain; charset=utf-8");
                    var closed = new boolean[1];
                    res.closeHandler(v -> closed[0] = true);
                    pump(ctx, res, id, stream, 0, follow, closed);
                })
                .onFailure(ctx::fail);
    }

    private void pump(RoutingContext ctx, HttpServerResponse res, String id, String stream, long offset, boolean follow, boolean[] closed) {
        if (closed[0]) return;
        blocking(vertx, () -> state.allocation(id).orElseThrow(() -> notFound("allocation", id)))
                .compose(a -> read(a, stream, offset).map(chunk -> new Object[] {a, chunk}))
                .onSuccess(r -> {
                    Allocation a = (Allocation) r[0];
                    JsonObject chunk = (JsonObject) r[1];
                    byte[] data = chunk.getBinary("data", new byte[0]);
                    if (data.length == 0 && chunk.getLong("size", 0L) < offset) {
                        pump(ctx, res, id, stream, 0, follow, closed); // the node rotated the log: go on from its start
                    } else if (data.length > 0) {
                        res.write(io.vertx.core.buffer.Buffer.buffer(data));
                        pump(ctx, res, id, stream, offset + data.length, follow, closed);
                    } else if (follow && !a.status().terminal()) {
                        vertx.setTimer(FOLLOW_POLL_MS, t -> pump(ctx, res, id, stream, offset, true, closed));
                    } else {
                        res.end();
                    }
                })
                .onFailure(e -> {
                    if (!res.headWritten()) ctx.fail(e);
                    else res.end();
                });
    }

    /** One chunk from the node; an unplaced allocation has no log yet. */
    private Future<JsonObject> read(Allocation a, String stream, long offset) {
        if (!a.placed()) return Future.succeededFuture(new JsonObject());
        var ask = new JsonObject().put("allocationId", a.id()).put("stream", stream).put("offset", offset).put("max", CHUNK);
        return vertx.eventBus().<JsonObject>request(Addresses.nodeLogs(a.nodeId()), ask, new DeliveryOptions().setSendTimeout(10_000))
                .map(Message::body)
                .recover(e -> Future.failedFuture(new Http.Problem(503, "cannot read logs of allocation " + a.id()
                        + " from node " + a.nodeId() + ": " + e.getMessage())));
    }

}
