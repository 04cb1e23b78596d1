package dev.berth.scheduler.api;

import dev.berth.model.NodeStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.spec.FieldError;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A node's images, kept on the node: the API passes each request to the node's executor over the
 * event bus. An uploaded image tar is streamed to the node in chunks (never held whole here, so
 * it is not bound by the API's body limit); a pull runs on the node, with the node's registries.
 */
final class ImagesApi {
    static final int CHUNK = 1 << 20;
    private static final long PULL_TIMEOUT_MS = 30 * 60_000;
    private static final long TIMEOUT_MS = 60_000;

    private final Vertx vertx;
    private final ClusterState state;

    ImagesApi(Vertx vertx, ClusterState state) {
        this.vertx = vertx;
        this.state = state;
    }

    void routes(Router r, BodyHandler body) {
        r.get("/v1/nodes/:id/images").handler(ctx -> forward(ctx, new JsonObject().put("op", "list"), TIMEOUT_MS));
        r.post("/v1/nodes/:id/images/pull").handler(body).handler(this::pull);
        r.post("/v1/nodes/:id/images/prune").handler(ctx -> forward(ctx, new JsonObject().put("op", "prune"), TIMEOUT_MS));
        r.delete("/v1/nodes/:id/images/:name").handler(ctx -> forward(ctx, new JsonObject().put("op", "remove").put("name", ctx.pathParam("name")), TIMEOUT_MS));
        // no body handler: the tar streams through
        r.post("/v1/nodes/:id/images").handler(this::upload);
    }

    private void pull(RoutingContext ctx) {
        JsonObject ask;
        try {
            ask = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            ask = null;
        }
        String reference = ask == null ? null : ask.getValue("reference") instanceof String s ? s : null;
        if (reference == null || reference.isBlank()) {
            Http.errors(ctx, List.of(new FieldError("reference", "is required: the image to pull, e.g. busybox:1.36")));
            return;
        }
        forward(ctx, new JsonObject().put("op", "pull").put("reference", reference).put("insecure", Boolean.TRUE.equals(ask.getValue("insecure"))),
                PULL_TIMEOUT_MS);
    }

    /** {@code POST /v1/nodes/{id}/images?name=N:T} with the tar as the body: chunks to the node, then its import. */
    private void upload(RoutingContext ctx) {
        String name = ctx.queryParams().get("name");
        if (name == null || name.isBlank()) {
            Http.errors(ctx, List.of(new FieldError("name", "is required: ?name=app:1")));
            return;
        }
        HttpServerRequest req = ctx.request();
        req.pause();
        String node = ctx.pathParam("id");
        String upload = UUID.randomUUID().toString().replace("-", "");
        live(node).onSuccess(v -> {
            var sender = new ChunkSender(node, upload, req);
            req.handler(sender::take);
            req.endHandler(x -> sender.finish()
                    .compose(size -> ask(node, new JsonObject().put("op", "import").put("upload", upload).put("name", name), TIMEOUT_MS * 10))
                    .onSuccess(answer -> Http.json(ctx, 201, answer))
                    .onFailure(ctx::fail));
            req.exceptionHandler(ctx::fail);
            req.resume();
        }).onFailure(e -> {
            req.resume();
            ctx.fail(e);
        });
    }

    /** Sends the body in order, one chunk in flight at a time, holding the request while the node writes. */
    private final class ChunkSender {
        private final String node, upload;
        private final HttpServerRequest req;
        private Buffer pending = Buffer.buffer();
        private long offset;
        private Future<Void> tail = Future.succeededFuture();

        ChunkSender(String node, String upload, HttpServerRequest req) {
            this.node = node;
            this.upload = upload;
            this.req = req;
        }

        void take(Buffer b) {
            pending.appendBuffer(b);
            if (pending.length() < CHUNK) return;
            req.pause();
            // a failed chunk fails the rest of the chain, and so the request at its end
            send().onComplete(r -> req.resume());
        }

        Future<Long> finish() {
            return send().map(v -> offset);
        }

        private Future<Void> send() {
            Buffer chunk = pending;
            pending = Buffer.buffer();
            long at = offset;
            offset += chunk.length();
            tail = tail.compose(v -> chunk.length() == 0 && at > 0 ? Future.succeededFuture() : ask(node, new JsonObject().put("op", "upload")
                    .put("upload", upload).put("offset", at).put("data", Base64.getEncoder().encodeToString(chunk.getBytes())), TIMEOUT_MS).mapEmpty());
            return tail;
        }
    }

    private void forward(RoutingContext ctx, JsonObject ask, long timeoutMs) {
        String node = ctx.pathParam("id");
        Http.reply(ctx, 200, live(node).compose(v -> ask(node, ask, timeoutMs)));
    }

    /** The node exists and is not down, or a 404/409 saying so. */
    private Future<Void> live(String node) {
        return Http.blocking(vertx, () -> state.node(node).orElseThrow(() -> Http.notFound("node", node))).compose(n -> n.status() == NodeStatus.DOWN
                ? Future.failedFuture(new Http.Problem(409, "node " + node + " is down: its images cannot be reached"))
                : Future.succeededFuture());
    }

    private Future<JsonObject> ask(String node, JsonObject body, long timeoutMs) {
        Promise<JsonObject> p = Promise.promise();
        vertx.eventBus().<JsonObject>request(Addresses.nodeImages(node), body, new DeliveryOptions().setSendTimeout(timeoutMs))
                .map(Message::body)
                .onSuccess(p::complete)
                .onFailure(e -> p.fail(e instanceof ReplyException r && r.failureCode() >= 400 && r.failureCode() < 600
                        ? new Http.Problem(r.failureCode(), r.getMessage())
                        : new Http.Problem(503, "node " + node + " did not answer: " + e.getMessage())));
        return p.future();
    }
}
