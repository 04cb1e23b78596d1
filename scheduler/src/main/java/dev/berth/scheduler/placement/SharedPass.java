package dev.berth.scheduler.placement;

import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One placement pass over a shared cluster, pure: the fair share decides what is taken
 * ({@link FairShare}), the core places it ({@link Gangs}, {@link PlacementCore}), and what found no
 * room may preempt ({@link Preemption}). The scheduler and {@code berth sim} both run it, so a
 * simulated policy is the policy.
 */
public final class SharedPass {
    private SharedPass() {
    }

    /**
     * The pass's input: the nodes, what runs on them, the waiting groups, the queues and their recent
     * shares. With {@code explain}, work the fair share did not take also gets each node's reason
     * (a pass over every node per group: the scheduler wants it, a simulation of a large cluster does not).
     */
    public record Input(List<Candidate> nodes, List<Preemption.Running> running, List<FairShare.Waiting> waiting,
                        Map<String, QueueSpec> queues, Map<String, Double> recent, boolean explain, Summary summary) {
        public Input(List<Candidate> nodes, List<Preemption.Running> running, List<FairShare.Waiting> waiting,
                     Map<String, QueueSpec> queues, Map<String, Double> recent) {
            this(nodes, running, waiting, queues, recent, true, null);
        }
    }

    /**
     * The cluster's capacity and what each queue holds, when the caller keeps them (a simulation that
     * passes only the nodes with room, and no running allocations unless preemption may be wanted);
     * null: summed from {@code nodes} and {@code running}.
     */
    public record Summary(Resources total, Map<String, Resources> held) {
    }

    /**
     * What the pass decided: where each placed instance goes (preemptors included), what to stop for
     * them, and where each waiting group stood in the fair-share order.
     */
    public record Decision(Plan plan, List<Preemption.Eviction> evictions, Map<String, FairShare.Standing> standings) {
    }

    public static Decision run(Input in) {
        var all = new ArrayList<Resources>();
        in.nodes().forEach(c -> all.add(c.capacity()));
        in.waiting().forEach(w -> all.add(w.ask().each()));
        if (in.summary() != null) all.add(in.summary().total());
        var dims = Vec.dims(all);
        Vec total = Vec.zero(dims);
        Vec free = Vec.zero(dims);
        var freeOf = new HashMap<String, Vec>();
        for (Candidate c : in.nodes()) {
            Vec room = Vec.of(c.capacity(), dims).minus(Vec.of(c.used(), dims));
            freeOf.put(c.id(), room);
            if (!c.eligible()) continue;
            total.add(Vec.of(c.capacity(), dims), 1);
            free.add(room.copy().floorAtZero(), 1);
        }
        var held = new HashMap<String, Vec>();
        if (in.summary() != null) {
            total = Vec.of(in.summary().total(), dims);
            in.summary().held().forEach((q, r) -> held.put(q, Vec.of(r, dims)));
        } else {
            held.putAll(held(in.running(), dims));
        }
        var states = new HashMap<String, FairShare.QueueState>();
        var names = new HashSet<String>(in.queues().keySet());
        in.waiting().forEach(w -> names.add(w.queue()));
        in.running().forEach(r -> names.add(r.queue()));
        if (in.summary() != null) names.addAll(in.summary().held().keySet());
        for (String q : names) {
            states.put(q, new FairShare.QueueState(in.queues().getOrDefault(q, QueueSpec.implicit(q)),
                    held.getOrDefault(q, Vec.zero(dims)), in.recent().getOrDefault(q, 0.0)));
        }

        Vec freeBefore = free.copy();
        var admission = FairShare.admit(in.waiting(), states, total, free);
        var asks = new ArrayList<Ask>();
        var gangs = new HashSet<String>();
        var byKey = new LinkedHashMap<String, FairShare.Waiting>();
        for (var w : in.waiting()) byKey.put(w.key(), w);
        for (var e : admission.taken().entrySet()) {
            var w = byKey.get(e.getKey());
            asks.add(w.ask().withCount(e.getValue()));
            if (w.gang()) gangs.add(w.key());
        }
        Plan core = Gangs.place(in.nodes(), asks, gangs);

        // the room left on each node and what each queue holds once the core's placements count
        for (var e : core.placed().entrySet()) {
            var w = byKey.get(e.getKey());
            Vec each = Vec.of(w.ask().each(), dims);
            for (String node : e.getValue()) freeOf.get(node).subtract(each, 1);
            held.computeIfAbsent(w.queue(), k -> Vec.zero(dims)).add(each, e.getValue().size());
        }
        var requests = new ArrayList<Preemption.Request>();
        admission.standings().forEach((key, s) -> {
            var w = byKey.get(key);
            int mayTry = s.waits() != null && !s.waits().equals(FairShare.ROOM) ? s.taken() : w.ask().count();
            int unplaced = mayTry - core.placed().getOrDefault(key, List.of()).size();
            if (unplaced > 0) requests.add(new Preemption.Request(w, unplaced));
        });
        var preempted = requests.isEmpty() ? new Preemption.Result(Map.of(), List.of())
                : Preemption.choose(in.nodes(), freeOf, in.running(), requests, held, states, dims);

        var placed = new LinkedHashMap<String, List<String>>();
        var failed = new LinkedHashMap<String, Plan.Failure>();
        for (var w : in.waiting()) {
            var nodes = new ArrayList<String>(core.placed().getOrDefault(w.key(), List.of()));
            nodes.addAll(preempted.placed().getOrDefault(w.key(), List.of()));
            if (!nodes.isEmpty()) placed.put(w.key(), nodes);
            int left = w.ask().count() - nodes.size();
            if (left <= 0) continue;
            var reasons = new LinkedHashMap<String, Integer>();
            var f = core.failed().get(w.key());
            if (f != null) reasons.putAll(f.reasons());
            var s = admission.standings().get(w.key());
            boolean room = s != null && FairShare.ROOM.equals(s.waits());
            if (s != null && s.waits() != null && !room) reasons.put(s.waits(), 0);
            if (room && f == null && w.gang()) {
                // the cluster's free room, summed, cannot hold the gang: say how many would fit, as the core would
                var alone = in.explain() ? Gangs.place(in.nodes(), List.of(w.ask()), java.util.Set.of(w.key())).failed().get(w.key()) : null;
                if (alone != null) reasons.putAll(alone.reasons());
                else if (in.explain()) reasons.put(FairShare.ROOM, 0); // it would fit alone: the room went to work ahead of it
                else reasons.put("a gang of " + w.ask().count() + " places all or none: held back", 0);
            } else if (room && f == null) {
                Vec each = Vec.of(w.ask().each(), dims);
                // the room went to work ahead of it only if there was room for it before the pass
                if (freeBefore.fits(each) >= 1) reasons.put(FairShare.ROOM, 0);
                if (in.explain()) reasons.putAll(nodeReasons(w.ask(), in.nodes(), freeOf, dims));
            }
            if (reasons.isEmpty()) reasons.put(FairShare.ROOM, 0);
            failed.put(w.key(), new Plan.Failure(left, reasons));
        }
        return new Decision(new Plan(placed, failed), preempted.evictions(), admission.standings());
    }

    /** The cluster's capacity: what its eligible nodes offer, summed. */
    public static Vec capacity(List<Candidate> nodes, List<String> dims) {
        Vec total = Vec.zero(dims);
        for (Candidate c : nodes) if (c.eligible()) total.add(Vec.of(c.capacity(), dims), 1);
        return total;
    }

    /** What each queue's running allocations hold, summed by queue. */
    public static Map<String, Vec> held(List<Preemption.Running> running, List<String> dims) {
        var out = new HashMap<String, Vec>();
        for (var r : running) out.computeIfAbsent(r.queue(), k -> Vec.zero(dims)).add(Vec.of(r.resources(), dims), 1);
        return out;
    }

    /** Why each node cannot take one more instance now, counted per reason, as the core says it. */
    static Map<String, Integer> nodeReasons(Ask ask, List<Candidate> nodes, Map<String, Vec> freeOf, List<String> dims) {
        var out = new java.util.TreeMap<String, Integer>();
        Vec each = Vec.of(ask.each(), dims);
        for (Candidate n : nodes) {
            String why = PlacementCore.staticMisfit(ask, n);
            if (why == null) {
                Vec room = freeOf.get(n.id());
                for (int d = 0; d < dims.size() && why == null; d++) if (each.at(d) > room.at(d)) why = "insufficient " + dims.get(d);
            }
            if (why != null) out.merge(why, 1, Integer::sum);
        }
        return out;
    }
}
