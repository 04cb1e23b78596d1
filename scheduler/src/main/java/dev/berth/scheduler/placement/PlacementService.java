package dev.berth.scheduler.placement;

import dev.berth.model.AllocNetwork;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.Job;
import dev.berth.model.NodeStatus;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.RestartPolicy;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.scheduler.leader.Leadership;
import dev.berth.scheduler.state.ClusterState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import dev.berth.model.Node;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places pending allocations and sends them to their nodes. Only the leader passes, and every write
 * of a pass is fenced by its epoch, so two members never hand out the same room twice; a pass runs
 * after each submission and every second, which also picks up nodes that joined after a job was
 * submitted.
 */
public final class PlacementService {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);

    private final Vertx vertx;
    private final ClusterState state;
    private final Clock clock;
    private boolean passRunning;
    private boolean passWanted;

    private final io.vertx.core.Context context;

    /** Made on the event loop whose thread will run its passes. */
    private final Leadership leadership;
    /** When this leader last sent each placed allocation its node has not reported on yet. */
    private final Map<String, Instant> sent = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.time.Duration RESEND_AFTER = java.time.Duration.ofSeconds(15);

    private final java.time.Duration shareHalfLife;

    public PlacementService(Vertx vertx, ClusterState state, Clock clock, Leadership leadership, java.time.Duration shareHalfLife) {
        this.shareHalfLife = shareHalfLife;
        this.vertx = vertx;
        this.state = state;
        this.clock = clock;
        this.leadership = leadership;
        this.context = vertx.getOrCreateContext();
    }

    /**
     * Asks for a pass soon: here when this member leads, else from the leader. Requests that arrive
     * during a pass are folded into one more pass.
     */
    public void requestPass() {
        if (!leadership.leading()) {
            vertx.eventBus().publish(Addresses.PLACEMENT_WANTED, "");
            return;
        }
        passIfLeading();
    }

    /** A pass when this member leads; nothing otherwise. */
    public void passIfLeading() {
        if (!leadership.leading()) return;
        if (passRunning) {
            passWanted = true;
            return;
        }
        passRunning = true;
        passWanted = false;
        long began = System.nanoTime();
        vertx.executeBlocking(this::pass, false)
                .onSuccess(out -> {
                    stop(out.stops());
                    send(out.runs());
                    if (LOG.isDebugEnabled()) LOG.debug("pass: {} run(s) sent, {} stop(s), {} ms", out.runs().size(), out.stops().size(), (System.nanoTime() - began) / 1_000_000);
                })
                .onFailure(e -> LOG.warn("placement pass failed: {}", e.toString()))
                .onComplete(x -> {
                    passRunning = false;
                    if (passWanted) passIfLeading();
                });
    }

    /** From any thread: asks the service's own event loop for a pass. */
    public void requestPassSoon(Vertx caller) {
        context.runOnContext(v -> requestPass());
    }

    record RunCommand(String nodeId, Allocation allocation, TaskSpec task, RestartPolicy restart, long epoch) {
    }

    /** An allocation preempted in a pass, to be stopped on its node. */
    record StopCommand(String nodeId, String allocationId) {
    }

    /** What a pass sends: stops of the allocations it preempted, then the runs of what it placed. */
    record Outgoing(List<RunCommand> runs, List<StopCommand> stops) {
    }

    /** The cluster and its waiting work as a pass reads them. */
    private record Work(List<Allocation> active, Map<String, Optional<Job>> jobs, Map<String, Set<Integer>> ports,
                        List<Candidate> candidates, List<Preemption.Running> running, List<Ask> asks, List<FairShare.Waiting> waiting,
                        Map<String, List<List<Allocation>>> instances, Map<String, GroupSpec> groups, SharedPass.Input input) {
    }

    /**
     * Reads what a pass needs, blocking: every node's room, what runs, and the waiting instances by
     * group (each instance the allocations of its tasks), less what {@link #holdBack} keeps back. The
     * leader's pass writes why work is held back and the queues' recent usage ({@code leader} given);
     * an explanation only reads.
     */
    private Work work(ClusterState leader, Instant now) {
        var active = state.activeAllocations();
        var jobs = new HashMap<String, Optional<Job>>();
        var waiting = new TreeMap<String, TreeMap<Integer, List<Allocation>>>();
        var used = new HashMap<String, Resources>();
        var ports = new HashMap<String, Set<Integer>>();
        for (Allocation a : active) {
            if (a.placed()) {
                holdOn(a, used, ports, jobs);
            } else if (a.status() == AllocationStatus.PENDING && !a.stopRequested()) {
                waiting.computeIfAbsent(a.jobId() + "/" + a.group(), k -> new TreeMap<>())
                        .computeIfAbsent(a.index(), k -> new ArrayList<>()).add(a);
            }
        }
        var queues = state.queues();
        var running = running(active, jobs);
        var candidates = candidates(used, ports);
        var recent = recentShares(running, candidates, now, leader != null);
        if (!waiting.isEmpty()) holdBack(waiting, active, jobs, leader, now);
        var asks = new ArrayList<Ask>();
        var waitingWork = new ArrayList<FairShare.Waiting>();
        var instances = new HashMap<String, List<List<Allocation>>>();
        var groups = new HashMap<String, GroupSpec>();
        for (var e : waiting.entrySet()) {
            List<Allocation> first = e.getValue().firstEntry().getValue();
            Optional<Job> job = jobs.computeIfAbsent(first.getFirst().jobId(), state::job);
            if (job.isEmpty()) continue;
            GroupSpec group = groupOf(job.get(), first.getFirst().group());
            Resources each = first.stream().map(Allocation::resources).reduce(Resources.NONE, Resources::plus);
            var groupPorts = new HashSet<Integer>();
            group.tasks().forEach(t -> groupPorts.addAll(staticPorts(t)));
            var ask = new Ask(e.getKey(), e.getValue().size(), each, groupPorts, HostNetwork.constraints(group), group.spread(), job.get().spec().priority());
            asks.add(ask);
            waitingWork.add(new FairShare.Waiting(ask, job.get().id(), job.get().spec().queue(), job.get().submittedAt(), group.gang(), job.get().spec().preemptible()));
            instances.put(e.getKey(), new ArrayList<>(e.getValue().values()));
            groups.put(e.getKey(), group);
        }
        var input = new SharedPass.Input(candidates, running, waitingWork, queues, recent);
        return new Work(active, jobs, ports, candidates, running, asks, waitingWork, instances, groups, input);
    }

    /** The waiting work in the order the next pass would take it, with where each group stands and why it waits. Blocking. */
    public record Explanation(SharedPass.Input input, SharedPass.Decision decision) {
    }

    public Explanation explain() {
        var work = work(null, clock.instant());
        return new Explanation(work.input(), SharedPass.run(work.input()));
    }

    private Outgoing pass() {
        long epoch = leadership.epoch();
        if (epoch == 0) return new Outgoing(List.of(), List.of());
        var leader = state.asLeader(epoch);
        var now = clock.instant();
        var work = work(leader, now);
        var commands = new ArrayList<RunCommand>(unacknowledged(work.active(), epoch, now));
        if (work.asks().isEmpty()) return new Outgoing(commands, List.of());
        var jobs = work.jobs();
        var ports = work.ports();
        var asks = work.asks();
        var instances = work.instances();
        var groups = work.groups();
        var decision = SharedPass.run(work.input());
        Plan plan = decision.plan();

        var outcome = new HashMap<String, int[]>();
        var failures = new HashMap<String, Map<String, Integer>>();
        var proposed = new ArrayList<PlanApplier.Placement>();
        var refused = new java.util.LinkedHashMap<String, String>();
        for (Ask ask : asks) {
            String jobId = ask.key().substring(0, ask.key().indexOf('/'));
            var counts = outcome.computeIfAbsent(jobId, k -> new int[2]);
            GroupSpec group = groups.get(ask.key());
            List<String> nodes = plan.placed().getOrDefault(ask.key(), List.of());
            List<List<Allocation>> list = instances.get(ask.key());
            for (int i = 0; i < list.size(); i++) {
                if (i < nodes.size()) {
                    String node = nodes.get(i);
                    for (Allocation a : list.get(i)) {
                        TaskSpec task = taskOf(group, a.task());
                        try {
                            AllocNetwork network = HostPorts.choose(task.network(), ports.computeIfAbsent(node, k -> new HashSet<>()));
                            proposed.add(new PlanApplier.Placement(a, node, runnable(task, a, group, network, node), network, group.restart()));
                        } catch (IllegalStateException noPort) {
                            refused.put(a.id(), noPort.getMessage() + " on " + node);
                        }
                    }
                } else {
                    String why = waitingReason(plan.failed().get(ask.key()));
                    for (Allocation a : list.get(i)) {
                        // most waiting work waits for the same reason pass after pass: only a changed reason costs a locked write
                        if (why.equals(a.reason())) continue;
                        leader.updateAllocation(a.id(), cur -> why.equals(cur.reason()) || cur.placed() ? null : cur.waiting(why, now));
                    }
                    counts[1] += list.get(i).size();
                }
            }
            var failure = plan.failed().get(ask.key());
            if (failure != null) failure.reasons().forEach((r, n) -> failures.computeIfAbsent(jobId, k -> new TreeMap<>()).merge(r, n, Integer::sum));
        }

        // Victims first: their room is their preemptor's once they are marked (a victim that changed meanwhile is not, and
        // its preemptor finds no room at commit and waits).
        var stops = preempt(decision.evictions(), leader, now);
        // The pass as one plan: checked again against each node's room now, then written; what no longer fits waits.
        var check = PlanApplier.check(proposed, rooms());
        refused.putAll(check.refused());
        var written = PlanApplier.commit(check.fits(), p -> leader.placeAllocation(p.allocation().id(), p.nodeId(), p.network(), now));
        var writtenIds = new HashSet<String>();
        for (PlanApplier.Placement p : written) {
            commands.add(new RunCommand(p.nodeId(), p.allocation(), p.task(), p.restart(), epoch));
            writtenIds.add(p.allocation().id());
            outcome.get(p.allocation().jobId())[0]++;
        }
        for (PlanApplier.Placement p : proposed) {
            String id = p.allocation().id();
            if (writtenIds.contains(id)) continue;
            outcome.get(p.allocation().jobId())[1]++;
            String why = refused.get(id);
            if (why == null) continue; // not written (it changed meanwhile, or the write failed): the next pass sees it
            try {
                leader.updateAllocation(id, cur -> cur.placed() || why.equals(cur.reason()) ? null : cur.waiting(why, now));
            } catch (RuntimeException e) {
                LOG.warn("allocation {}: its reason was not written: {}", id, e.toString());
            }
        }
        outcome.forEach((jobId, counts) -> jobs.get(jobId).ifPresent(job -> state.evaluation(job.evaluationId())
                .filter(e -> e.status().equals("pending"))
                .ifPresent(e -> leader.putEvaluation(e.complete(counts[0], counts[1], failures.getOrDefault(jobId, Map.of()), now)))));
        return new Outgoing(commands, stops);
    }

    /** "no node can run it: insufficient cpu on 3 nodes", or, when the work itself waits (its quota, its turn), "waiting: …". */
    public static String waitingReason(Plan.Failure f) {
        boolean aboutTheWork = f.reasons().containsValue(0);
        return (aboutTheWork ? "waiting: " : "no node can run it: ") + f.explain();
    }

    /**
     * Marks each victim preempted (stopping, its room its preemptor's) and makes the allocation that
     * takes its instance up again, attempt unchanged; returns the stops to send.
     */
    private List<StopCommand> preempt(List<Preemption.Eviction> evictions, ClusterState leader, Instant now) {
        var stops = new ArrayList<StopCommand>();
        for (Preemption.Eviction e : evictions) {
            String newId = dev.berth.scheduler.state.Ids.allocation();
            try {
                var marked = leader.updateAllocation(e.victim().id(), cur -> cur.status().terminal() || cur.stopRequested() || !cur.current()
                        ? null : cur.preempt(e.forJob(), now).replacedBy(newId, now));
                if (marked.isEmpty()) continue;
                leader.createAllocation(marked.get().resumed(newId, now));
                stops.add(new StopCommand(e.nodeId(), e.victim().id()));
                LOG.info("allocation {} of job {} preempted on {} for job {}: {}", e.victim().id(), e.victim().jobId(), e.nodeId(), e.forJob(), e.why());
            } catch (RuntimeException ex) {
                LOG.warn("allocation {}: its preemption was not written: {}", e.victim().id(), ex.toString());
            }
        }
        return stops;
    }

    /** Placed allocations that preemption may weigh: live, not being stopped, with their job's priority, queue and opt-out. */
    private List<Preemption.Running> running(List<Allocation> active, Map<String, Optional<Job>> jobs) {
        var out = new ArrayList<Preemption.Running>();
        for (Allocation a : active) {
            if (!a.placed() || a.stopRequested()) continue;
            var job = jobs.computeIfAbsent(a.jobId(), state::job);
            if (job.isEmpty()) continue;
            var spec = job.get().spec();
            out.add(new Preemption.Running(a.id(), a.jobId(), spec.queue(), a.nodeId(), a.resources(), spec.priority(), spec.preemptible(), a.startedAt()));
        }
        return out;
    }

    /** When the queues' recent usage was last written. */
    private Instant usageWritten = Instant.EPOCH;

    /**
     * Each queue's decayed average share, brought up to date with what it holds now (written at most
     * once a second, so a burst of passes costs no more writes).
     */
    private Map<String, Double> recentShares(List<Preemption.Running> running, List<Candidate> nodes, Instant now, boolean mayWrite) {
        var all = new ArrayList<Resources>();
        nodes.forEach(c -> all.add(c.capacity()));
        var dims = Vec.dims(all);
        Vec total = SharedPass.capacity(nodes, dims);
        var held = SharedPass.held(running, dims);
        var usage = new HashMap<>(state.queueUsage());
        boolean write = mayWrite && now.isAfter(usageWritten.plusSeconds(1));
        var out = new HashMap<String, Double>();
        var names = new HashSet<>(usage.keySet());
        names.addAll(held.keySet());
        for (String q : names) {
            var before = usage.getOrDefault(q, RecentUsage.none(now));
            double share = held.containsKey(q) ? held.get(q).dominantShare(total) : 0;
            var after = before.advance(share, now, shareHalfLife);
            out.put(q, after.average(shareHalfLife));
            if (write) state.putQueueUsage(q, after);
        }
        if (write) usageWritten = now;
        return out;
    }

    /**
     * Takes out of this pass what may not be placed yet, saying why on its allocations: the instances
     * of a job whose dependencies do not hold yet (and ends them, never run, when one never can), and
     * those of a group beyond its {@code maxParallel}.
     */
    private void holdBack(TreeMap<String, TreeMap<Integer, List<Allocation>>> waiting, List<Allocation> active,
                          Map<String, Optional<Job>> jobs, ClusterState writer, Instant now) {
        // without a writer (an explanation) nothing is written, only taken out
        java.util.function.BiConsumer<String, java.util.function.UnaryOperator<Allocation>> update =
                writer == null ? (id, change) -> { } : writer::updateAllocation;
        var statuses = new HashMap<String, Optional<dev.berth.model.JobStatus>>();
        java.util.function.Function<String, Optional<dev.berth.model.JobStatus>> statusOf = id -> statuses.computeIfAbsent(id,
                k -> state.job(k).map(j -> dev.berth.model.JobStatus.of(j, state.allocationsOfJob(k))));
        var placedInstances = new HashMap<String, Set<Integer>>();
        for (Allocation a : active) {
            if (a.placed()) placedInstances.computeIfAbsent(a.jobId() + "/" + a.group(), k -> new HashSet<>()).add(a.index());
        }
        for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            var instances = e.getValue();
            Allocation first = instances.firstEntry().getValue().getFirst();
            Optional<Job> job = jobs.computeIfAbsent(first.jobId(), state::job);
            if (job.isEmpty()) continue;
            var verdict = Dependencies.of(job.get().spec().dependsOn(), statusOf);
            if (verdict instanceof Dependencies.Verdict.Wait(String why)) {
                instances.values().forEach(list -> list.forEach(a -> update.accept(a.id(),
                        cur -> why.equals(cur.reason()) || cur.placed() ? null : cur.waiting(why, now))));
                it.remove();
                continue;
            }
            if (verdict instanceof Dependencies.Verdict.Never(String why)) {
                instances.values().forEach(list -> list.forEach(a -> update.accept(a.id(),
                        cur -> cur.placed() || cur.status().terminal() ? null : cur.end(AllocationStatus.FAILED, why, now))));
                it.remove();
                continue;
            }
            int limit = groupOf(job.get(), first.group()).maxParallel();
            if (limit <= 0) continue;
            int room = Math.max(0, limit - placedInstances.getOrDefault(e.getKey(), Set.of()).size());
            String why = "waiting: maxParallel " + limit + " (" + (limit - room) + " placed)";
            while (instances.size() > room) {
                instances.pollLastEntry().getValue().forEach(a -> update.accept(a.id(),
                        cur -> why.equals(cur.reason()) || cur.placed() ? null : cur.waiting(why, now)));
            }
            if (instances.isEmpty()) it.remove();
        }
    }

    /**
     * The task as its node runs it: its published ports resolved, and the variables that tell it
     * who it is (Slurm's SLURM_ARRAY_TASK_ID, Nomad's NOMAD_ALLOC_INDEX), which the user's env
     * cannot override.
     */
    static TaskSpec runnable(TaskSpec task, Allocation a, GroupSpec group, AllocNetwork network, String nodeId) {
        var resolved = network == null ? task : task.withNetwork(HostPorts.resolved(task.network(), network));
        return resolved.withEnv(Map.of(
                "BERTH_JOB_ID", a.jobId(),
                "BERTH_GROUP", a.group(),
                "BERTH_ALLOC_ID", a.id(),
                "BERTH_ALLOC_INDEX", Integer.toString(a.index()),
                "BERTH_GROUP_COUNT", Integer.toString(group.count()),
                "BERTH_NODE_ID", nodeId));
    }

    private List<Candidate> candidates(Map<String, Resources> used, Map<String, Set<Integer>> ports) {
        var candidates = new ArrayList<Candidate>();
        for (Node n : state.nodes()) {
            if (n.status() == NodeStatus.DOWN) continue;
            candidates.add(new Candidate(n.id(), n.capacity(), used.getOrDefault(n.id(), Resources.NONE),
                    ports.getOrDefault(n.id(), Set.of()), n.labels(), n.attributes(), n.takesWork()));
        }
        return candidates;
    }

    /** Each node's room as the state says now, for the commit's second look. Blocking. */
    private Map<String, PlanApplier.Room> rooms() {
        var used = new HashMap<String, Resources>();
        var ports = new HashMap<String, Set<Integer>>();
        var jobs = new HashMap<String, Optional<Job>>();
        for (Allocation a : state.activeAllocations()) {
            if (a.placed()) holdOn(a, used, ports, jobs);
        }
        var rooms = new HashMap<String, PlanApplier.Room>();
        for (Node n : state.nodes()) {
            rooms.put(n.id(), new PlanApplier.Room(n.takesWork(), n.capacity(), used.getOrDefault(n.id(), Resources.NONE), ports.getOrDefault(n.id(), Set.of())));
        }
        return rooms;
    }

    /**
     * What a pass would do with these jobs alone on the cluster as it is now — queues, shares and
     * preemption counted — without changing anything. Blocking.
     */
    public Simulation.Result whatIf(List<dev.berth.model.spec.JobSpec> specs) {
        var active = state.activeAllocations();
        var used = new HashMap<String, Resources>();
        var ports = new HashMap<String, Set<Integer>>();
        var jobs = new HashMap<String, Optional<Job>>();
        for (Allocation a : active) if (a.placed()) holdOn(a, used, ports, jobs);
        var recent = new HashMap<String, Double>();
        state.queueUsage().forEach((q, u) -> recent.put(q, u.average(shareHalfLife)));
        return Simulation.run(candidates(used, ports), running(active, jobs), state.queues(), recent, specs);
    }

    /** The cluster as the placement core sees it now: every live node with what its allocations hold. Blocking. */
    public List<Candidate> snapshot() {
        var used = new HashMap<String, Resources>();
        var ports = new HashMap<String, Set<Integer>>();
        var jobs = new HashMap<String, Optional<Job>>();
        for (Allocation a : state.activeAllocations()) {
            if (a.placed()) holdOn(a, used, ports, jobs);
        }
        return candidates(used, ports);
    }

    /**
     * Counts what a placed allocation holds on its node: its resources and its host ports (static and
     * dynamic). A preempted one's resources are its preemptor's already; its ports stay bound until it ends.
     */
    private void holdOn(Allocation a, Map<String, Resources> used, Map<String, Set<Integer>> ports, Map<String, Optional<Job>> jobs) {
        if (a.preemptedBy() == null) used.merge(a.nodeId(), a.resources(), Resources::plus);
        var taken = ports.computeIfAbsent(a.nodeId(), k -> new HashSet<>());
        if (a.network() != null) {
            a.network().ports().forEach(m -> taken.add(m.host()));
        } else {
            jobs.computeIfAbsent(a.jobId(), state::job).ifPresent(j -> taken.addAll(staticPorts(taskOf(groupOf(j, a.group()), a.task()))));
        }
    }

    static Set<Integer> staticPorts(TaskSpec t) {
        var out = new HashSet<Integer>();
        t.network().ports().forEach(p -> {
            if (p.staticPort() != null) out.add(p.staticPort());
        });
        return out;
    }

    /**
     * Placed allocations their node never reported on: sent again, with this leader's epoch, when
     * this leader did not send them itself (a leader that died between its placement and its send,
     * or whose command was lost with the member the node was on), or sent them more than
     * {@link #RESEND_AFTER} ago. A node takes a run command for an allocation it has once.
     */
    private List<RunCommand> unacknowledged(List<Allocation> active, long epoch, Instant now) {
        var out = new ArrayList<RunCommand>();
        var still = new HashSet<String>();
        for (Allocation a : active) {
            if (!a.placed() || a.status() != AllocationStatus.PENDING || a.version() != 0 || a.stopRequested()) continue;
            still.add(a.id());
            Instant last = sent.get(a.id());
            if (last != null && last.plus(RESEND_AFTER).isAfter(now)) continue;
            var job = state.job(a.jobId());
            if (job.isEmpty()) continue;
            GroupSpec group = groupOf(job.get(), a.group());
            TaskSpec task = taskOf(group, a.task());
            if (last != null) LOG.info("allocation {}: node {} has not reported on it in {}; sending it again", a.id(), a.nodeId(), RESEND_AFTER);
            else LOG.info("allocation {}: placed on {} by an earlier leader and not reported on; sending it again", a.id(), a.nodeId());
            out.add(new RunCommand(a.nodeId(), a, runnable(task, a, group, a.network(), a.nodeId()), group.restart(), epoch));
        }
        sent.keySet().retainAll(still);
        return out;
    }

    private void stop(List<StopCommand> stops) {
        for (StopCommand s : stops) vertx.eventBus().send(Addresses.nodeStop(s.nodeId()), new JsonObject().put("allocationId", s.allocationId()));
    }

    private void send(List<RunCommand> commands) {
        var now = clock.instant();
        for (RunCommand c : commands) {
            sent.put(c.allocation().id(), now);
            var body = new JsonObject().put("allocation", new JsonObject(Json.write(c.allocation())))
                    .put("task", new JsonObject(Json.write(c.task())))
                    .put("restart", new JsonObject(Json.write(c.restart())))
                    .put("epoch", c.epoch());
            vertx.eventBus().request(Addresses.nodeRun(c.nodeId()), body, new DeliveryOptions().setSendTimeout(10_000))
                    .onFailure(e -> takeBack(c, e));
        }
    }

    /** The node did not take the allocation (gone, or refused): undo the placement so the next pass retries. */
    private void takeBack(RunCommand c, Throwable e) {
        String why = "node " + c.nodeId() + " did not accept it: " + e.getMessage();
        LOG.warn("allocation {}: {}", c.allocation().id(), why);
        vertx.executeBlocking(() -> state.asLeader(c.epoch()).updateAllocation(c.allocation().id(), a ->
                a.status() == AllocationStatus.PENDING && c.nodeId().equals(a.nodeId()) && a.version() == 0
                        ? a.unplace(why, clock.instant()) : null), false);
    }

    static GroupSpec groupOf(Job job, String group) {
        return job.spec().groups().stream().filter(g -> g.name().equals(group)).findFirst().orElseThrow();
    }

    static TaskSpec taskOf(GroupSpec group, String task) {
        return group.tasks().stream().filter(t -> t.name().equals(task)).findFirst().orElseThrow();
    }
}
