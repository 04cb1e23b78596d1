package dev.berth.scheduler.api;

import static dev.berth.scheduler.api.Http.blocking;
import static dev.berth.scheduler.api.Http.reply;

import dev.berth.model.codec.Json;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.scheduler.placement.FairShare;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.placement.SharedPass;
import dev.berth.scheduler.placement.Vec;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Queues: their weight, quota and borrowing; what each holds against its quota; and its waiting
 * work in the order the next pass takes it, with the factors of that order and why each waits.
 */
final class QueuesApi {
    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private final PlacementService placement;

    QueuesApi(Vertx vertx, ClusterState state, Clock clock, PlacementService placement) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.placement = placement;
    }

    void routes(Router r, BodyHandler body) {
        r.get("/v1/queues").handler(ctx -> reply(ctx, 200, blocking(vertx, () -> {
            var out = new JsonArray();
            var view = new View(placement.explain());
            for (String q : view.names()) out.add(view.summary(q));
            return out;
        })));
        r.get("/v1/queues/:name").handler(ctx -> {
            String name = ctx.pathParam("name");
            reply(ctx, 200, blocking(vertx, () -> {
                var view = new View(placement.explain());
                if (!view.names().contains(name)) throw Http.notFound("queue", name);
                return view.summary(name).put("waitingWork", view.waitingWork(name));
            }));
        });
        r.put("/v1/queues/:name").handler(body).handler(this::put);
        r.delete("/v1/queues/:name").handler(this::delete);
    }

    private void put(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        var errors = new ArrayList<FieldError>();
        QueueSpec q;
        try {
            String text = ctx.body().asString();
            q = QueueSpec.read(name, text == null || text.isBlank() ? null : Json.mapper().readTree(text), clock.instant(), errors);
        } catch (Exception e) {
            Http.errors(ctx, List.of(new FieldError("", "not valid JSON: " + e.getMessage())));
            return;
        }
        if (q == null) {
            Http.errors(ctx, errors);
            return;
        }
        reply(ctx, 200, blocking(vertx, () -> {
            state.putQueue(q);
            placement.requestPassSoon(vertx);
            return new JsonObject(Json.write(q));
        }));
    }

    /** A queue that jobs with work still name cannot go; {@code default} goes back to weight 1 and no quota. */
    private void delete(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        reply(ctx, 200, blocking(vertx, () -> {
            if (!state.queues().containsKey(name)) throw Http.notFound("queue", name);
            if (!name.equals(JobSpec.DEFAULT_QUEUE)) {
                var live = state.jobs().stream().filter(j -> !j.stopped() && j.spec().queue().equals(name)
                        && !dev.berth.model.JobStatus.of(j, state.allocationsOfJob(j.id())).equals(dev.berth.model.JobStatus.COMPLETE)
                        && !dev.berth.model.JobStatus.of(j, state.allocationsOfJob(j.id())).equals(dev.berth.model.JobStatus.FAILED)).map(j -> j.id()).toList();
                if (!live.isEmpty()) {
                    throw new Http.Problem(409, "queue " + name + " still has " + live.size() + " job(s) with work: " + String.join(", ", live.subList(0, Math.min(5, live.size())))
                            + (live.size() > 5 ? ", …" : "") + "; stop them first");
                }
            }
            state.removeQueue(name);
            return new JsonObject().put("name", name).put("removed", true);
        }));
    }

    /** The queues as the next pass sees them. */
    private static final class View {
        final PlacementService.Explanation ex;
        final List<String> dims;
        final Vec total;
        final Map<String, Vec> held = new HashMap<>();
        final Map<String, Integer> running = new HashMap<>();
        final Map<String, Integer> waiting = new HashMap<>();

        View(PlacementService.Explanation ex) {
            this.ex = ex;
            var all = new ArrayList<Resources>();
            ex.input().nodes().forEach(c -> all.add(c.capacity()));
            ex.input().running().forEach(r -> all.add(r.resources()));
            dims = Vec.dims(all);
            total = SharedPass.capacity(ex.input().nodes(), dims);
            held.putAll(SharedPass.held(ex.input().running(), dims));
            ex.input().running().forEach(r -> running.merge(r.queue(), 1, Integer::sum));
            ex.input().waiting().forEach(w -> waiting.merge(w.queue(), w.ask().count(), Integer::sum));
        }

        TreeSet<String> names() {
            var out = new TreeSet<String>(ex.input().queues().keySet());
            out.add(JobSpec.DEFAULT_QUEUE);
            out.addAll(held.keySet());
            out.addAll(waiting.keySet());
            return out;
        }

        QueueSpec spec(String q) {
            return ex.input().queues().getOrDefault(q, QueueSpec.implicit(q));
        }

        JsonObject summary(String q) {
            QueueSpec spec = spec(q);
            Vec h = held.getOrDefault(q, Vec.zero(dims));
            double recent = ex.input().recent().getOrDefault(q, 0.0);
            var state = new FairShare.QueueState(spec, h, recent);
            var o = new JsonObject().put("name", q).put("weight", spec.weight()).put("borrow", spec.borrow())
                    .put("configured", ex.input().queues().containsKey(q));
            if (spec.quota() != null) o.put("quota", new JsonObject(Json.write(spec.quota())));
            o.put("held", amounts(h));
            o.put("share", round(FairShare.share(state, h, total))).put("dominantShare", round(h.dominantShare(total))).put("recentShare", round(recent));
            o.put("running", running.getOrDefault(q, 0)).put("waiting", waiting.getOrDefault(q, 0));
            if (spec.quota() != null) o.put("overQuota", FairShare.overQuota(spec, h));
            return o;
        }

        JsonArray waitingWork(String q) {
            var out = new JsonArray();
            var byKey = new HashMap<String, FairShare.Waiting>();
            ex.input().waiting().forEach(w -> byKey.put(w.key(), w));
            ex.decision().standings().forEach((key, s) -> {
                if (!s.queue().equals(q)) return;
                var w = byKey.get(key);
                var failure = ex.decision().plan().failed().get(key);
                int placedNext = ex.decision().plan().placed().getOrDefault(key, List.of()).size();
                var o = new JsonObject().put("position", s.position()).put("job", w.jobId()).put("group", key.substring(key.indexOf('/') + 1))
                        .put("instances", w.ask().count()).put("priority", s.priority()).put("submittedAt", String.valueOf(s.submittedAt()))
                        .put("queueShare", round(s.share())).put("weight", s.weight()).put("placeableNow", placedNext);
                o.put("waits", failure == null ? "the next pass places it" : PlacementService.waitingReason(failure));
                long preempts = ex.decision().evictions().stream().filter(e -> e.forKey().equals(key)).count();
                if (preempts > 0) o.put("wouldPreempt", preempts);
                out.add(o);
            });
            return out;
        }

        JsonObject amounts(Vec v) {
            var o = new JsonObject().put("cpu", dev.berth.model.units.Cpu.ofMillis(v.at(0)).toString())
                    .put("memory", new dev.berth.model.units.ByteSize(v.at(1)).toString());
            var ext = new JsonObject();
            for (int d = 2; d < dims.size(); d++) if (v.at(d) != 0) ext.put(dims.get(d), v.at(d));
            if (!ext.isEmpty()) o.put("extended", ext);
            return o;
        }

        static double round(double v) {
            return Math.round(v * 10_000) / 10_000.0;
        }
    }
}
