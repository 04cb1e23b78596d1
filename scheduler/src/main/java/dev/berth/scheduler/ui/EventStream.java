package dev.berth.scheduler.ui;

import dev.berth.model.spec.FieldError;
import dev.berth.scheduler.state.ClusterState.Change;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/events}: the cluster's changes as server-sent events, so that an open page updates
 * itself instead of polling. Each event names what changed ({@code job}, {@code allocation},
 * {@code node}, {@code evaluation}) and its ids; the page reads the current state from the API. Changes
 * are coalesced per entry for 250 ms (a node's heartbeats, an allocation's quick steps), and a comment
 * every 15 s keeps proxies from closing an idle stream. The first event, {@code ready}, comes once
 * the stream is watching: what changed before it, a reader must read from the API.
 *
 * <p>Query: {@code topics} (comma-separated kinds, default all), {@code job} and {@code node} to
 * keep only the changes that name that job or node.
 */
public final class EventStream {
    static final Set<String> KINDS = Set.of("job", "allocation", "node", "evaluation");
    static final long FLUSH_MS = 250, KEEPALIVE_MS = 15_000;

    private final Vertx vertx;
    private final ChangeFeed feed;

    public EventStream(Vertx vertx, ChangeFeed feed) {
        this.vertx = vertx;
        this.feed = feed;
    }

    /** The filter of one stream, from its query; pure. */
    record Filter(Set<String> kinds, String job, String node) {
        boolean accepts(Change c) {
            return kinds.contains(c.kind()) && (job == null || job.equals(c.jobId())) && (node == null || node.equals(c.nodeId()));
        }

        static Object parse(String topics, String job, String node) {
            Set<String> kinds = KINDS;
            if (topics != null && !topics.isBlank()) {
                var chosen = new java.util.TreeSet<String>();
                for (String t : topics.split(",")) {
                    String kind = t.trim().replaceAll("s$", "");
                    if (!KINDS.contains(kind)) {
                        return new FieldError("topics", "\"" + t.trim() + "\" is not one of jobs, allocations, nodes, evaluations");
                    }
                    chosen.add(kind);
                }
                kinds = Set.copyOf(chosen);
            }
            return new Filter(kinds, blankToNull(job), blankToNull(node));
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }

    /** One SSE frame: {@code event: kind} and the change as JSON. */
    static String frame(Change c) {
        var data = new JsonObject().put("id", c.id());
        if (c.jobId() != null) data.put("jobId", c.jobId());
        if (c.nodeId() != null) data.put("nodeId", c.nodeId());
        if (c.status() != null) data.put("status", c.status());
        if (c.removed()) data.put("removed", true);
        return "event: " + c.kind() + "\ndata: " + data.encode() + "\n\n";
    }

    public void handle(RoutingContext ctx) {
        var parsed = Filter.parse(ctx.queryParams().get("topics"), ctx.queryParams().get("job"), ctx.queryParams().get("node"));
        if (parsed instanceof FieldError e) {
            var errors = new JsonArray().add(new JsonObject().put("path", e.path()).put("message", e.message()));
            ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(new JsonObject().put("errors", errors).encode());
            return;
        }
        Filter filter = (Filter) parsed;
        HttpServerResponse res = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        res.write("retry: 2000\n\n");
        Context context = vertx.getOrCreateContext();
        Map<String, Change> pending = new LinkedHashMap<>(); // touched on the context only
        boolean[] closed = {false};
        List<Long> timers = new ArrayList<>();
        AutoCloseable[] watch = {null};
        Runnable stop = () -> {
            if (closed[0]) return;
            closed[0] = true;
            timers.forEach(vertx::cancelTimer);
            if (watch[0] != null) vertx.executeBlocking(() -> {
                watch[0].close();
                return null;
            }, false);
        };
        res.closeHandler(v -> stop.run());
        res.exceptionHandler(e -> stop.run());
        timers.add(vertx.setPeriodic(FLUSH_MS, t -> {
            if (closed[0] || pending.isEmpty()) return;
            var out = new StringBuilder();
            pending.values().forEach(c -> out.append(frame(c)));
            pending.clear();
            if (!res.writeQueueFull()) res.write(out.toString());
        }));
        timers.add(vertx.setPeriodic(KEEPALIVE_MS, t -> {
            if (!closed[0]) res.write(": keepalive\n\n");
        }));
        vertx.executeBlocking(() -> feed.watch(c -> {
            if (filter.accepts(c)) context.runOnContext(v -> {
                if (!closed[0]) pending.put(c.kind() + "/" + c.id(), c);
            });
        }), false).onSuccess(w -> {
            watch[0] = w;
            // only now is every later change on its way here: a page reads its state again on "ready",
            // so that nothing changed between its first read and this moment stays unseen
            if (!closed[0]) res.write(": watching " + String.join(",", new java.util.TreeSet<>(filter.kinds())) + "\nevent: ready\ndata: {}\n\n");
            if (closed[0]) vertx.executeBlocking(() -> {
                w.close();
                return null;
            }, false);
        }).onFailure(e -> {
            res.write("event: error\ndata: " + new JsonObject().put("error", "cannot watch the cluster: " + e.getMessage()).encode() + "\n\n");
            res.end();
            stop.run();
        });
    }
}
