package dev.berth.scheduler.placement;

import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.Job;
import dev.berth.model.NodeStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places pending allocations and sends them to their nodes. A pass runs under a cluster-wide lock,
 * so two scheduler members never hand out the same room twice; it runs after each submission and
 * every second, which also picks up nodes that joined after a job was submitted.
 */
public final class PlacementService {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);
    private static final String LOCK = "berth.placement";

    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private boolean passRunning;
    private boolean passWanted;

    public PlacementService(Vertx vertx, ClusterState state, Clock clock) {
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
    }

    /** Asks for a pass soon; requests that arrive during a pass are folded into one more pass. */
    public void requestPass() {
        if (passRunning) {
            passWanted = true;
            return;
        }
        passRunning = true;
        passWanted = false;
        vertx.sharedData().getLockWithTimeout(LOCK, 10_000)
                .compose(lock -> vertx.executeBlocking(this::pass, false).andThen(x -> lock.release()))
                .onSuccess(this::send)
                .onFailure(e -> LOG.warn("placement pass failed: {}", e.toString()))
                .onComplete(x -> {
                    passRunning = false;
                    if (passWanted) requestPass();
                });
    }

    record RunCommand(String nodeId, Allocation allocation, TaskSpec task) {
    }

    private List<RunCommand> pass() {
        var now = clock.instant();
        var active = state.activeAllocations();
        var rooms = new LinkedHashMap<String, NodeRoom>();
        state.nodes().stream().filter(n -> n.status() == NodeStatus.READY)
                .forEach(n -> rooms.put(n.id(), new NodeRoom(n.id(), n.capacity(), Resources.NONE)));
        var waiting = new TreeMap<String, List<Allocation>>();
        for (Allocation a : active) {
            if (a.placed()) {
                rooms.computeIfPresent(a.nodeId(), (k, r) -> r.with(a.resources()));
            } else if (a.status() == AllocationStatus.PENDING && !a.stopRequested()) {
                waiting.computeIfAbsent(a.jobId() + "/" + a.group() + "/" + a.index(), k -> new ArrayList<>()).add(a);
            }
        }
        var jobs = new HashMap<String, Optional<Job>>();
        var outcome = new HashMap<String, int[]>();
        var failures = new HashMap<String, Map<String, Integer>>();
        var commands = new ArrayList<RunCommand>();
        var instances = new ArrayList<>(waiting.values());
        instances.sort(Comparator.<List<Allocation>>comparingInt(i -> -priority(jobs, i.getFirst().jobId()))
                .thenComparing(i -> i.getFirst().createdAt()));
        for (List<Allocation> instance : instances) {
            Allocation first = instance.getFirst();
            Optional<Job> job = jobs.computeIfAbsent(first.jobId(), state::job);
            if (job.isEmpty()) continue;
            Resources ask = instance.stream().map(Allocation::resources).reduce(Resources.NONE, Resources::plus);
            var counts = outcome.computeIfAbsent(first.jobId(), k -> new int[2]);
            switch (Placer.place(ask, rooms.values())) {
                case Placement.Placed p -> {
                    rooms.computeIfPresent(p.nodeId(), (k, r) -> r.with(ask));
                    GroupSpec group = groupOf(job.get(), first.group());
                    for (Allocation a : instance) {
                        state.updateAllocation(a.id(), cur -> cur.placed() || cur.stopRequested() ? null : cur.placedOn(p.nodeId(), now))
                                .ifPresent(placed -> commands.add(new RunCommand(p.nodeId(), placed, taskOf(group, a.task()))));
                    }
                    counts[0] += instance.size();
                }
                case Placement.Unplaced u -> {
                    String why = "no node can run it: " + u.explain();
                    for (Allocation a : instance) {
                        state.updateAllocation(a.id(), cur -> why.equals(cur.reason()) || cur.placed() ? null : cur.waiting(why, now));
                    }
                    counts[1] += instance.size();
                    u.reasons().forEach((r, n) -> failures.computeIfAbsent(first.jobId(), k -> new TreeMap<>()).merge(r, n, Integer::sum));
                }
            }
        }
        outcome.forEach((jobId, counts) -> jobs.get(jobId).ifPresent(job -> state.evaluation(job.evaluationId())
                .filter(e -> e.status().equals("pending"))
                .ifPresent(e -> state.putEvaluation(e.complete(counts[0], counts[1], failures.getOrDefault(jobId, Map.of()), now)))));
        return commands;
    }

    private void send(List<RunCommand> commands) {
        for (RunCommand c : commands) {
            var body = new JsonObject().put("allocation", new JsonObject(Json.write(c.allocation())))
                    .put("task", new JsonObject(Json.write(c.task())));
            vertx.eventBus().request(Addresses.nodeRun(c.nodeId()), body, new DeliveryOptions().setSendTimeout(10_000))
                    .onFailure(e -> takeBack(c, e));
        }
    }

    /** The node did not take the allocation (gone, or refused): undo the placement so the next pass retries. */
    private void takeBack(RunCommand c, Throwable e) {
        String why = "node " + c.nodeId() + " did not accept it: " + e.getMessage();
        LOG.warn("allocation {}: {}", c.allocation().id(), why);
        vertx.executeBlocking(() -> state.updateAllocation(c.allocation().id(), a ->
                a.status() == AllocationStatus.PENDING && c.nodeId().equals(a.nodeId()) && a.version() == 0
                        ? a.unplace(why, clock.instant()) : null), false);
    }

    private int priority(Map<String, Optional<Job>> jobs, String jobId) {
        return jobs.computeIfAbsent(jobId, state::job).map(j -> j.spec().priority()).orElse(0);
    }

    static GroupSpec groupOf(Job job, String group) {
        return job.spec().groups().stream().filter(g -> g.name().equals(group)).findFirst().orElseThrow();
    }

    static TaskSpec taskOf(GroupSpec group, String task) {
        return group.tasks().stream().filter(t -> t.name().equals(task)).findFirst().orElseThrow();
    }
}
