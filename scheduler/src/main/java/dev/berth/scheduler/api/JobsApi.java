package dev.berth.scheduler.api;

import static dev.berth.scheduler.api.Http.blocking;
import static dev.berth.scheduler.api.Http.notFound;
import static dev.berth.scheduler.api.Http.reply;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.Job;
import dev.berth.model.JobStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.SpecReader;
import dev.berth.scheduler.placement.HostNetwork;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.spec.TaskSpec;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.placement.Simulation;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.Evaluation;
import dev.berth.scheduler.state.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Submit, list, inspect and stop jobs. */
final class JobsApi {
    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private final PlacementService placement;

    JobsApi(Vertx vertx, ClusterState state, Clock clock, PlacementService placement) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.placement = placement;
    }

    void routes(Router r, BodyHandler body) {
        r.post("/v1/jobs/plan").handler(body).handler(this::plan);
        r.post("/v1/jobs").handler(body).handler(this::submit);
        r.get("/v1/jobs").handler(this::list);
        r.get("/v1/jobs/:id").handler(this::show);
        r.delete("/v1/jobs/:id").handler(this::stop);
        r.get("/v1/jobs/:id/allocations").handler(this::allocations);
        r.get("/v1/jobs/:id/spec").handler(this::spec);
    }

    /** The job's spec as stored, in YAML (the default, for people) or JSON ({@code format=json}). */
    private void spec(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String format = ctx.request().getParam("format", "yaml");
        if (!format.equals("yaml") && !format.equals("json")) {
            Http.errors(ctx, List.of(new dev.berth.model.spec.FieldError("format", "\"" + format + "\" is not yaml or json")));
            return;
        }
        blocking(vertx, () -> {
            Job j = state.job(id).orElseThrow(() -> notFound("job", id));
            return format.equals("json") ? Json.write(j.spec()) : Json.writeYaml(j.spec());
        }).onSuccess(text -> ctx.response().putHeader("Content-Type", format.equals("json") ? "application/json" : "application/yaml; charset=utf-8").end(text))
                .onFailure(ctx::fail);
    }

    private void submit(RoutingContext ctx) {
        if (!Http.specBody(ctx)) return;
        var result = SpecReader.read(ctx.body().asString(), ctx.request().getHeader("Content-Type"));
        switch (result) {
            case SpecResult.Invalid invalid -> Http.errors(ctx, invalid.errors());
            case SpecResult.Valid valid -> {
                var now = clock.instant();
                JobSpec spec = valid.spec();
                var job = new Job(Ids.job(spec.name()), spec, now, Ids.evaluation(), false, null);
                var eval = Evaluation.pending(job.evaluationId(), job.id(), "job submitted", now);
                var allocs = new ArrayList<Allocation>();
                for (GroupSpec g : spec.groups()) {
                    for (int i = 0; i < g.count(); i++) {
                        for (TaskSpec t : g.tasks()) {
                            allocs.add(Allocation.pending(Ids.allocation(), job.id(), g.name(), i, t.name(), t.resources(), now));
                        }
                    }
                }
                blocking(vertx, () -> {
                    var refused = new ArrayList<>(HostNetwork.check(spec, state.nodes()));
                    // a job can only wait for one that exists already, so dependencies never form a cycle
                    for (int i = 0; i < spec.dependsOn().size(); i++) {
                        String dep = spec.dependsOn().get(i).job();
                        if (state.job(dep).isEmpty()) refused.add(new dev.berth.model.spec.FieldError("dependsOn[" + i + "].job", "no job with id \"" + dep + "\""));
                    }
                    if (refused.isEmpty()) state.createJob(job, allocs, eval);
                    return refused;
                }).onSuccess(refused -> {
                    if (!refused.isEmpty()) {
                        Http.errors(ctx, refused);
                        return;
                    }
                    placement.requestPass();
                    Http.json(ctx, 201, new JsonObject().put("id", job.id()).put("evaluationId", eval.id()));
                }).onFailure(ctx::fail);
            }
        }
    }

    /** A dry run: where each instance would go on the cluster as it is now, and why not; nothing changes. */
    private void plan(RoutingContext ctx) {
        if (!Http.specBody(ctx)) return;
        switch (SpecReader.read(ctx.body().asString(), ctx.request().getHeader("Content-Type"))) {
            case SpecResult.Invalid invalid -> Http.errors(ctx, invalid.errors());
            case SpecResult.Valid valid -> reply(ctx, 200, blocking(vertx, () -> {
                var result = Simulation.run(placement.snapshot(), List.of(valid.spec()));
                var groups = new JsonArray();
                for (GroupSpec g : valid.spec().groups()) {
                    String key = valid.spec().name() + "#0/" + g.name();
                    var nodes = result.plan().placed().getOrDefault(key, List.of());
                    var failure = result.plan().failed().get(key);
                    var view = new JsonObject().put("group", g.name()).put("count", g.count())
                            .put("nodes", new JsonArray(new ArrayList<>(nodes))).put("unplaced", failure == null ? 0 : failure.count());
                    if (failure != null) view.put("reasons", new JsonObject(new java.util.HashMap<>(failure.reasons()))).put("explain", failure.explain());
                    groups.add(view);
                }
                return new JsonObject().put("placed", result.placed()).put("unplaced", result.unplaced())
                        .put("nodesUsed", result.nodesUsed()).put("groups", groups);
            }));
        }
    }

    private void list(RoutingContext ctx) {
        reply(ctx, 200, blocking(vertx, () -> {
            var out = new JsonArray();
            for (Job j : state.jobs()) out.add(summary(j, state.allocationsOfJob(j.id())));
            return out;
        }));
    }

    private void show(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> {
            Job j = state.job(id).orElseThrow(() -> notFound("job", id));
            return summary(j, state.allocationsOfJob(id)).put("spec", new JsonObject(Json.write(j.spec())));
        }));
    }

    private void allocations(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> {
            state.job(id).orElseThrow(() -> notFound("job", id));
            return new JsonArray(Json.write(state.allocationsOfJob(id)));
        }));
    }

    /** Marks the job stopped and asks each node to stop its allocations; unplaced ones end at once. */
    private void stop(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 200, blocking(vertx, () -> {
            var now = clock.instant();
            Job j = state.job(id).orElseThrow(() -> notFound("job", id));
            if (!j.stopped()) state.putJob(j.stop(now));
            for (Allocation a : state.allocationsOfJob(id)) {
                if (a.status().terminal()) continue;
                state.updateAllocation(a.id(), cur -> cur.status().terminal() ? null
                        : cur.placed() ? cur.stopping(now) : cur.stopping(now).end(AllocationStatus.COMPLETE, "stopped before it was placed", now));
                if (a.placed()) {
                    vertx.eventBus().send(Addresses.nodeStop(a.nodeId()), new JsonObject().put("allocationId", a.id()));
                }
            }
            Job stopped = state.job(id).orElseThrow();
            return summary(stopped, state.allocationsOfJob(id));
        }));
    }

    static JsonObject summary(Job j, List<Allocation> allocs) {
        var counts = new JsonObject();
        for (AllocationStatus s : AllocationStatus.values()) {
            counts.put(s.wire(), allocs.stream().filter(a -> a.status() == s).count());
        }
        return new JsonObject()
                .put("id", j.id())
                .put("name", j.spec().name())
                .put("type", j.spec().type().wire())
                .put("priority", j.spec().priority())
                .put("status", JobStatus.of(j, allocs).wire())
                .put("submittedAt", j.submittedAt().toString())
                .put("stoppedAt", j.stoppedAt() == null ? null : j.stoppedAt().toString())
                .put("evaluationId", j.evaluationId())
                .put("allocations", counts);
    }
}
