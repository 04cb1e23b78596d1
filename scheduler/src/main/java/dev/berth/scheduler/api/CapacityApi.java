package dev.berth.scheduler.api;

import dev.berth.model.Node;
import dev.berth.model.NodeStatus;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.units.Durations;
import dev.berth.scheduler.capacity.CapacityPlanner;
import dev.berth.scheduler.capacity.Metrics;
import dev.berth.scheduler.placement.Candidate;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.placement.Simulation;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Capacity endpoints: {@code GET /v1/capacity} (capacity, allocated, used and headroom per node and
 * for the cluster), {@code POST /v1/capacity/fit} (how many more of a spec fit, and why the next
 * one does not), {@code GET /v1/capacity/recommendations}, {@code GET /v1/capacity/history}, and
 * {@code GET /metrics} (Prometheus text).
 */
public final class CapacityApi {
    static final int MAX_FIT = 100_000;

    private final Vertx vertx;
    private final ClusterState state;
    private final PlacementService placement;
    private final CapacityPlanner planner;
    private final Metrics metrics;

    /** @param planner null when the scheduler reads no Kafka: recommendations and history then answer 503 */
    public CapacityApi(Vertx vertx, ClusterState state, PlacementService placement, CapacityPlanner planner) {
        this.vertx = vertx;
        this.state = state;
        this.placement = placement;
        this.planner = planner;
        this.metrics = new Metrics();
    }

    public void routes(Router r, BodyHandler body) {
        r.get("/v1/capacity").handler(ctx -> Http.reply(ctx, 200, Http.blocking(vertx, this::capacity)));
        r.post("/v1/capacity/fit").handler(body).handler(this::fit);
        r.get("/v1/capacity/recommendations").handler(ctx -> needsPlanner(ctx, () -> Map.of("recommendations", planner.recommendations())));
        r.get("/v1/capacity/history").handler(this::history);
        r.get("/v1/allocations/:id/usage").handler(ctx -> {
            String id = ctx.pathParam("id");
            if (planner == null) {
                needsPlanner(ctx, () -> null);
                return;
            }
            Http.reply(ctx, 200, Http.blocking(vertx, () -> {
                state.allocation(id).orElseThrow(() -> Http.notFound("allocation", id));
                return planner.allocationUsage(id);
            }));
        });
        r.get("/metrics").handler(ctx -> Http.blocking(vertx, () -> metrics.scrape(state.nodes(), placement.snapshot()))
                .onSuccess(text -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(ctx::fail));
    }

    private Map<String, Object> capacity() {
        var nodes = new ArrayList<Map<String, Object>>();
        Map<String, Node> byId = new TreeMap<>();
        state.nodes().forEach(n -> byId.put(n.id(), n));
        double[] sum = new double[6];
        for (Candidate c : placement.snapshot()) {
            Node n = byId.get(c.id());
            if (n == null || n.status() == NodeStatus.DOWN) continue;
            double capCpu = c.capacity().cpu().millicores() / 1000.0, allocCpu = c.used().cpu().millicores() / 1000.0;
            long capMem = c.capacity().memory().bytes(), allocMem = c.used().memory().bytes();
            double usedCpu = n.usage() == null ? 0 : n.usage().allocations().values().stream().mapToDouble(a -> a.cpu()).sum();
            long usedMem = n.usage() == null ? 0 : n.usage().allocations().values().stream().mapToLong(a -> a.memory()).sum();
            var view = new LinkedHashMap<String, Object>();
            view.put("id", c.id());
            view.put("status", n.status().name().toLowerCase());
            view.put("eligible", c.eligible());
            view.put("cpu", resource(capCpu, allocCpu, usedCpu, n.usage() == null ? null : n.usage().cpu()));
            view.put("memory", resource(capMem, allocMem, usedMem, n.usage() == null ? null : (double) n.usage().memory()));
            nodes.add(view);
            sum[0] += capCpu;
            sum[1] += allocCpu;
            sum[2] += usedCpu;
            sum[3] += capMem;
            sum[4] += allocMem;
            sum[5] += usedMem;
        }
        var out = new LinkedHashMap<String, Object>();
        out.put("cluster", Map.of("cpu", resource(sum[0], sum[1], sum[2], null), "memory", resource(sum[3], sum[4], sum[5], null)));
        out.put("nodes", nodes);
        out.put("units", Map.of("cpu", "cores", "memory", "bytes"));
        if (planner != null) out.put("planner", planner.stats());
        return out;
    }

    /**
     * {@code allocated} is what placed allocations asked for; {@code used} what their containers use
     * now; {@code host} what the whole host uses (Berth's tasks and everything else).
     * Headroom: {@code allocatable} = capacity - allocated (what placement can still hand out),
     * {@code unused} = capacity - used.
     */
    private static Map<String, Object> resource(double capacity, double allocated, double used, Double host) {
        var m = new LinkedHashMap<String, Object>();
        m.put("capacity", capacity);
        m.put("allocated", allocated);
        m.put("used", used);
        if (host != null) m.put("host", host);
        m.put("headroom", Map.of("allocatable", Math.max(0, capacity - allocated), "unused", Math.max(0, capacity - used)));
        return m;
    }

    private void fit(RoutingContext ctx) {
        if (!Http.specBody(ctx)) return;
        switch (SpecReader.read(ctx.body().asString(), ctx.request().getHeader("Content-Type"))) {
            case SpecResult.Invalid invalid -> Http.errors(ctx, invalid.errors());
            case SpecResult.Valid valid -> Http.reply(ctx, 200, Http.blocking(vertx, () -> Map.of("groups", fit(placement.snapshot(), valid.spec()))));
        }
    }

    /**
     * For each group on its own: how many more instances fit on the cluster as it is now, where they
     * would go, and why the next one would not — the placement core asked for more than can fit.
     */
    public static List<Map<String, Object>> fit(List<Candidate> cluster, JobSpec spec) {
        var out = new ArrayList<Map<String, Object>>();
        for (GroupSpec g : spec.groups()) {
            Resources each = g.tasks().stream().map(t -> t.resources()).reduce(Resources.NONE, Resources::plus);
            int bound = upperBound(cluster, each);
            var probe = new GroupSpec(g.name(), bound, g.tasks(), g.constraints(), g.restart(), g.reschedule(), g.scoring(), 0, false);
            var result = Simulation.run(cluster, List.of(new JobSpec(spec.name(), spec.type(), spec.priority(), List.of(probe))));
            String key = spec.name() + "#0/" + g.name();
            var nodes = result.plan().placed().getOrDefault(key, List.of());
            var perNode = new TreeMap<String, Integer>();
            nodes.forEach(n -> perNode.merge(n, 1, Integer::sum));
            var failure = result.plan().failed().get(key);
            var view = new LinkedHashMap<String, Object>();
            view.put("group", g.name());
            view.put("fits", nodes.size());
            view.put("nodes", perNode);
            view.put("nextFails", failure == null ? "more than " + bound + " would fit (the probe's limit)" : failure.explain());
            out.add(view);
        }
        return out;
    }

    /** More than can fit by cpu and memory alone, so that the core is the one that says where it stops. */
    static int upperBound(List<Candidate> cluster, Resources each) {
        long bound = 1;
        for (Candidate c : cluster) {
            long free = Long.MAX_VALUE;
            if (each.cpu().millicores() > 0) free = Math.min(free, Math.max(0, c.capacity().cpu().millicores() - c.used().cpu().millicores()) / each.cpu().millicores());
            if (each.memory().bytes() > 0) free = Math.min(free, Math.max(0, c.capacity().memory().bytes() - c.used().memory().bytes()) / each.memory().bytes());
            if (free == Long.MAX_VALUE) free = MAX_FIT;
            bound += free;
            if (bound >= MAX_FIT) return MAX_FIT;
        }
        return (int) bound;
    }

    private void history(RoutingContext ctx) {
        String resource = ctx.request().getParam("resource", "cpu");
        if (!resource.equals("cpu") && !resource.equals("memory")) {
            badRequest(ctx, "resource", "\"" + resource + "\" is not cpu or memory");
            return;
        }
        Duration range, step;
        try {
            range = Durations.parse(ctx.request().getParam("range", "1h"));
            step = ctx.request().getParam("step") != null ? Durations.parse(ctx.request().getParam("step"))
                    : Duration.ofSeconds(Math.max(10, range.toSeconds() / 360));
        } catch (IllegalArgumentException e) {
            badRequest(ctx, ctx.request().getParam("step") != null ? "step" : "range", e.getMessage());
            return;
        }
        if (step.toSeconds() < 1 || range.compareTo(Duration.ofDays(1)) > 0) {
            badRequest(ctx, "range", "range at most 1d, step at least 1s");
            return;
        }
        needsPlanner(ctx, () -> planner.history(resource, range, step));
    }

    private static void badRequest(RoutingContext ctx, String field, String message) {
        Http.errors(ctx, List.of(new dev.berth.model.spec.FieldError(field, message)));
    }

    private void needsPlanner(RoutingContext ctx, java.util.concurrent.Callable<Object> answer) {
        if (planner == null) {
            ctx.fail(new Http.Problem(503, "capacity planning reads usage from Kafka, and this scheduler has none configured"));
            return;
        }
        Http.reply(ctx, 200, Http.blocking(vertx, answer));
    }
}
