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
    private final dev.berth.scheduler.batch.PeriodicLauncher periodic;

    JobsApi(Vertx vertx, ClusterState state, Clock clock, PlacementService placement) {
        this.periodic = new dev.berth.scheduler.batch.PeriodicLauncher(vertx, state, clock);
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
        r.post("/v1/jobs/:id/periodic/force").handler(this::force);
        r.post("/v1/jobs/:id/dispatch").handler(body).handler(this::dispatch);
    }

    /** A periodic job's run now, whatever its schedule says → 201 with the child's id. */
    private void force(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        reply(ctx, 201, blocking(vertx, () -> {
            Job parent = state.job(id).orElseThrow(() -> notFound("job", id));
            if (parent.spec().periodic() == null) throw new Http.Problem(400, "job " + id + " is not periodic");
            if (parent.stopped()) throw new Http.Problem(409, "job " + id + " is stopped");
            Job child = periodic.force(parent).orElseThrow(() -> new Http.Problem(409, "a run of " + id + " for this second exists already; try again"));
            placement.requestPassSoon(vertx);
            return new JsonObject().put("id", child.id()).put("parent", id).put("evaluationId", child.evaluationId());
        }));
    }

    /**
     * A run of a parameterized job with its meta and payload → 201 with the child's id; the same
     * idempotency token within a day → 200 with the child it made then.
     */
    private void dispatch(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject body;
        try {
            String text = ctx.body().asString();
            body = text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
        } catch (RuntimeException e) {
            Http.errors(ctx, List.of(new dev.berth.model.spec.FieldError("", "not valid JSON: " + e.getMessage())));
            return;
        }
        blocking(vertx, () -> {
            Job parent = state.job(id).orElseThrow(() -> notFound("job", id));
            if (parent.spec().parameterized() == null) throw new Http.Problem(400, "job " + id + " is not parameterized: it takes no dispatch");
            if (parent.stopped()) throw new Http.Problem(409, "job " + id + " is stopped");
            Object read = dev.berth.scheduler.batch.Dispatch.read(parent.spec().parameterized(), body);
            if (!(read instanceof dev.berth.scheduler.batch.Dispatch d)) return read;
            var now = clock.instant();
            String childId = id + ".dispatch-" + now.getEpochSecond() + "-" + Ids.allocation().substring(0, 6);
            if (d.idempotencyToken() != null) {
                var earlier = state.claimDispatch(id, d.idempotencyToken(), childId);
                if (earlier.isPresent()) return new JsonObject().put("id", earlier.get()).put("parent", id).put("again", true);
            }
            try {
                var child = dev.berth.scheduler.batch.Children.create(state, parent, childId, parent.spec().child(d.env(), d.payload()), "dispatched", now)
                        .orElseThrow(() -> new Http.Problem(409, "job " + childId + " exists already; try again"));
                placement.requestPassSoon(vertx);
                return new JsonObject().put("id", child.id()).put("parent", id).put("evaluationId", child.evaluationId());
            } catch (RuntimeException e) {
                if (d.idempotencyToken() != null) state.releaseDispatch(id, d.idempotencyToken());
                throw e;
            }
        }).onSuccess(r -> {
            if (r instanceof List<?> errors) {
                @SuppressWarnings("unchecked") var list = (List<dev.berth.model.spec.FieldError>) errors;
                Http.errors(ctx, list);
            } else {
                var out = (JsonObject) r;
                Http.json(ctx, out.getBoolean("again", false) ? 200 : 201, out);
            }
        }).onFailure(ctx::fail);
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
                blocking(vertx, () -> {
                    var refused = new ArrayList<>(HostNetwork.check(spec, state.nodes()));
                    // a job can only wait for one that exists already, so dependencies never form a cycle
                    for (int i = 0; i < spec.dependsOn().size(); i++) {
                        String dep = spec.dependsOn().get(i).job();
                        if (state.job(dep).isEmpty()) refused.add(new dev.berth.model.spec.FieldError("dependsOn[" + i + "].job", "no job with id \"" + dep + "\""));
                    }
                    refused.addAll(sharing(spec, ctx.get(dev.berth.scheduler.acl.Gate.TOKEN)));
                    if (refused.isEmpty()) dev.berth.scheduler.batch.Children.store(state, job, "job submitted", now);
                    return refused;
                }).onSuccess(refused -> {
                    if (!refused.isEmpty()) {
                        Http.errors(ctx, refused);
                        return;
                    }
                    placement.requestPass();
                    Http.json(ctx, 201, new JsonObject().put("id", job.id()).put("evaluationId", job.evaluationId()));
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
                var result = placement.whatIf(List.of(valid.spec()));
                var groups = new JsonArray();
                for (GroupSpec g : valid.spec().groups()) {
                    String key = valid.spec().name() + "#0/" + g.name();
                    var nodes = result.plan().placed().getOrDefault(key, List.of());
                    var failure = result.plan().failed().get(key);
                    var view = new JsonObject().put("group", g.name()).put("count", g.count())
                            .put("nodes", new JsonArray(new ArrayList<>(nodes))).put("unplaced", failure == null ? 0 : failure.count());
                    if (failure != null) view.put("reasons", new JsonObject(new java.util.HashMap<>(failure.reasons()))).put("explain", failure.explain());
                    var preempts = new JsonArray();
                    for (var e : result.evictions()) {
                        if (!e.forKey().equals(key)) continue;
                        preempts.add(new JsonObject().put("allocation", e.victim().id()).put("job", e.victim().jobId())
                                .put("node", e.nodeId()).put("priority", e.victim().priority()).put("queue", e.victim().queue()).put("why", e.why()));
                    }
                    view.put("preempts", preempts);
                    groups.add(view);
                }
                return new JsonObject().put("placed", result.placed()).put("unplaced", result.unplaced()).put("preempts", result.evictions().size())
                        .put("nodesUsed", result.nodesUsed()).put("groups", groups);
            }));
        }
    }

    /**
     * A job's queue must exist ({@code default} always does), so that a misspelt name fails here
     * rather than waiting forever; and opting out of preemption takes an operate token once tokens are in use.
     */
    private List<dev.berth.model.spec.FieldError> sharing(JobSpec spec, dev.berth.scheduler.acl.Token token) {
        var out = new ArrayList<dev.berth.model.spec.FieldError>();
        if (!spec.queue().equals(JobSpec.DEFAULT_QUEUE)) {
            var queues = state.queues();
            if (!queues.containsKey(spec.queue())) {
                var known = new java.util.TreeSet<>(queues.keySet());
                known.add(JobSpec.DEFAULT_QUEUE);
                out.add(new dev.berth.model.spec.FieldError("queue", "no queue named \"" + spec.queue() + "\" (queues: " + String.join(", ", known)
                        + "); make it with berth queue set " + spec.queue() + " or PUT /v1/queues/" + spec.queue()));
            }
        }
        if (!spec.preemptible() && token != null && !token.policy().allows(dev.berth.scheduler.acl.Policy.OPERATE)) {
            out.add(new dev.berth.model.spec.FieldError("preemptible", "false needs an operate token; this one (" + token.name() + ") is "
                    + token.policy().label()));
        }
        return out;
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
            var view = summary(j, state.allocationsOfJob(id)).put("spec", new JsonObject(Json.write(j.spec())));
            if (j.spec().launchesChildren()) {
                var children = dev.berth.scheduler.batch.Children.of(state, id);
                view.put("children", new JsonArray(children.stream().map(Job::id).toList()));
            }
            var p = j.spec().periodic();
            if (p != null) {
                var next = j.stopped() || !p.enabled() ? null : p.next(clock.instant()).map(Object::toString).orElse(null);
                view.put("periodic", new JsonObject().put("nextRun", next).put("lastLaunched", j.lastLaunched() == null ? null : j.lastLaunched().toString()));
            }
            return view;
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
            dev.berth.scheduler.batch.Children.stop(vertx, state, j, now);
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
                .put("queue", j.spec().queue())
                .put("status", JobStatus.of(j, allocs).wire())
                .put("submittedAt", j.submittedAt().toString())
                .put("stoppedAt", j.stoppedAt() == null ? null : j.stoppedAt().toString())
                .put("evaluationId", j.evaluationId())
                .put("parent", j.parent())
                .put("allocations", counts);
    }
}
