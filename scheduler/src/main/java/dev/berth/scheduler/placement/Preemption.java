package dev.berth.scheduler.placement;

import dev.berth.model.spec.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Which running allocations to stop so that waiting work that found no room can run. Pure.
 *
 * <p>A victim must be preemptible and of another job, and either of a priority at least
 * {@link #PRIORITY_GAP} lower than the waiting work's (Nomad's rule), or of a queue that holds more
 * than its quota (it borrowed idle room) while the waiting work's queue is still within its own
 * (Kueue's reclaim). For each instance the node is chosen that needs the fewest victims, then the
 * lowest of their priorities; on a node the victims are taken lowest priority first and, among
 * equals, the most recently started (the least work lost), and any that turn out not to be needed
 * are given back. A gang gets room for all its instances or evicts nothing. Work with static host
 * ports does not preempt: a victim holds its ports until it has ended.
 */
public final class Preemption {
    public static final int PRIORITY_GAP = 10;
    /** Instances one pass may preempt for; the rest try again in the next pass. */
    static final int MAX_PER_PASS = 1_000;

    private Preemption() {
    }

    /** A placed, live allocation, as preemption weighs it. */
    public record Running(String id, String jobId, String queue, String nodeId, Resources resources, int priority,
                          boolean preemptible, Instant startedAt) {
    }

    /** One waiting group and how many of its instances found no room. */
    public record Request(FairShare.Waiting waiting, int unplaced) {
    }

    /** An allocation to stop, the group that takes its room, and why it may. */
    public record Eviction(Running victim, String forKey, String forJob, String nodeId, String why) {
    }

    public record Result(Map<String, List<String>> placed, List<Eviction> evictions) {
    }

    /**
     * @param free    each candidate's free room after the pass's placements (mutated as victims are chosen)
     * @param held    what each queue holds, the pass's placements counted (mutated likewise)
     * @param queues  the queues' settings, for quota and borrowing
     */
    public static Result choose(List<Candidate> nodes, Map<String, Vec> free, List<Running> running, List<Request> requests,
                                Map<String, Vec> held, Map<String, FairShare.QueueState> queues, List<String> dims) {
        var byNode = new HashMap<String, List<Running>>();
        for (Running r : running) if (r.preemptible()) byNode.computeIfAbsent(r.nodeId(), k -> new ArrayList<>()).add(r);
        // lowest priority first; among equals the newest, which loses the least work
        Comparator<Running> cheapest = Comparator.comparingInt(Running::priority)
                .thenComparing(Running::startedAt, Comparator.nullsFirst(Comparator.<Instant>reverseOrder()))
                .thenComparing(Running::id);
        byNode.values().forEach(l -> l.sort(cheapest));
        int lowest = running.stream().filter(Running::preemptible).mapToInt(Running::priority).min().orElse(Integer.MAX_VALUE);
        var taken = new HashSet<String>();
        var placed = new LinkedHashMap<String, List<String>>();
        var evictions = new ArrayList<Eviction>();
        int budget = MAX_PER_PASS;
        for (Request req : requests) {
            if (budget <= 0) break;
            var w = req.waiting();
            if (!w.ask().staticPorts().isEmpty()) continue; // a victim's ports stay bound until it has ended
            Vec need = Vec.of(w.ask().each(), dims);
            if (!anyVictimPossible(w, need, lowest, held, queues)) {
                // no allocation anywhere can be its victim: it may still take free room (a gang's part of it)
                if (!w.gang()) continue;
            }
            var undo = new Undo();
            var here = new ArrayList<String>();
            var mine = new ArrayList<Eviction>();
            int wanted = Math.min(req.unplaced(), budget);
            // each node's best choice, found once per group; a choice is looked at again when it comes up (lazy greedy),
            // since victims taken on one node change nothing on another
            var heap = new PriorityQueue<Choice>(Choice.ORDER);
            for (Candidate node : nodes) {
                if (PlacementCore.staticMisfit(w.ask(), node) != null) continue;
                Choice c = onNode(node.id(), free.get(node.id()), need, byNode.getOrDefault(node.id(), List.of()), taken, w, held, queues);
                if (c != null) heap.add(c);
            }
            for (int i = 0; i < wanted; i++) {
                Choice best = null;
                while (!heap.isEmpty()) {
                    Choice top = heap.poll();
                    Choice fresh = onNode(top.node, free.get(top.node), need, byNode.getOrDefault(top.node, List.of()), taken, w, held, queues);
                    if (fresh == null) continue;
                    if (heap.isEmpty() || Choice.ORDER.compare(fresh, heap.peek()) <= 0) {
                        best = fresh;
                        break;
                    }
                    heap.add(fresh);
                }
                if (best == null) break;
                Vec room = free.get(best.node);
                undo.free(best.node, room.copy());
                for (Running v : best.victims) {
                    room.add(Vec.of(v.resources(), dims), 1);
                    undo.held(v.queue(), held);
                    held.computeIfAbsent(v.queue(), k -> Vec.zero(dims)).subtract(Vec.of(v.resources(), dims), 1);
                    taken.add(v.id());
                    undo.taken.add(v.id());
                    mine.add(new Eviction(v, w.key(), w.jobId(), best.node, best.why.get(v.id())));
                }
                room.subtract(need, 1);
                undo.held(w.queue(), held);
                held.computeIfAbsent(w.queue(), k -> Vec.zero(dims)).add(need, 1);
                here.add(best.node);
                Choice again = onNode(best.node, room, need, byNode.getOrDefault(best.node, List.of()), taken, w, held, queues);
                if (again != null) heap.add(again);
            }
            if (w.gang() && here.size() < req.unplaced()) {
                undo.revert(free, held, taken);
                continue;
            }
            if (!here.isEmpty()) {
                placed.computeIfAbsent(w.key(), k -> new ArrayList<>()).addAll(here);
                evictions.addAll(mine);
                budget -= here.size();
            }
        }
        return new Result(placed, evictions);
    }

    /** Whether any running allocation could be a victim of {@code w}: one low enough, or a queue to take back room from. */
    static boolean anyVictimPossible(FairShare.Waiting w, Vec need, int lowest, Map<String, Vec> held, Map<String, FairShare.QueueState> queues) {
        if (lowest <= w.ask().priority() - PRIORITY_GAP) return true;
        var mine = queues.get(w.queue());
        if (mine == null || !FairShare.withinQuota(mine.spec(), held.getOrDefault(w.queue(), Vec.zero(need.dims())), need)) return false;
        for (var e : queues.entrySet()) {
            if (!e.getKey().equals(w.queue()) && FairShare.overQuota(e.getValue().spec(), held.getOrDefault(e.getKey(), Vec.zero(need.dims())))) return true;
        }
        return false;
    }

    /** Victims on one node for one instance; better is fewer, then of lower priority. */
    private record Choice(String node, List<Running> victims, Map<String, String> why, int maxPriority) {
        static final Comparator<Choice> ORDER = Comparator.comparingInt((Choice c) -> c.victims.size())
                .thenComparingInt(Choice::maxPriority).thenComparing(Choice::node);

        Choice(String node, List<Running> victims, Map<String, String> why) {
            this(node, victims, why, victims.stream().mapToInt(Running::priority).max().orElse(0));
        }
    }

    /** The fewest victims on one node that make room for {@code need}, or null when it cannot be done there. */
    private static Choice onNode(String node, Vec free, Vec need, List<Running> victims, Set<String> taken, FairShare.Waiting w,
                                 Map<String, Vec> held, Map<String, FairShare.QueueState> queues) {
        if (free.fits(need) >= 1) return new Choice(node, List.of(), Map.of()); // room without victims (a gang's share of it)
        var picked = new ArrayList<Running>();
        var why = new HashMap<String, String>();
        Vec room = free.copy();
        List<String> dims = need.dims();
        var mineState = queues.get(w.queue());
        boolean mayReclaim = mineState != null && FairShare.withinQuota(mineState.spec(), held.getOrDefault(w.queue(), Vec.zero(dims)), need);
        for (Running v : victims) {
            if (taken.contains(v.id()) || v.jobId().equals(w.jobId())) continue;
            String reason = null;
            if (v.priority() <= w.ask().priority() - PRIORITY_GAP) {
                reason = "priority " + v.priority() + " is at least " + PRIORITY_GAP + " below " + w.ask().priority();
            } else if (mayReclaim && !v.queue().equals(w.queue())) {
                var theirs = queues.get(v.queue());
                if (theirs != null && FairShare.overQuota(theirs.spec(), held.getOrDefault(v.queue(), Vec.zero(dims)))) {
                    reason = "queue " + v.queue() + " borrows beyond its quota and queue " + w.queue() + " takes back its own";
                }
            }
            if (reason == null) continue;
            picked.add(v);
            why.put(v.id(), reason);
            room.add(Vec.of(v.resources(), dims), 1);
            if (room.fits(need) >= 1) break;
        }
        if (room.fits(need) < 1) return null;
        // give back the victims that are not needed after all (a larger one taken later may cover them)
        for (int i = picked.size() - 2; i >= 0; i--) {
            Vec without = room.copy().subtract(Vec.of(picked.get(i).resources(), dims), 1);
            if (without.fits(need) >= 1) {
                room = without;
                why.remove(picked.remove(i).id());
            }
        }
        return new Choice(node, List.copyOf(picked), why);
    }

    /** What choosing victims for one group changed, so a gang that cannot be placed whole changes nothing. */
    private static final class Undo {
        final Map<String, Vec> free = new LinkedHashMap<>();
        final Map<String, Vec> held = new LinkedHashMap<>();
        final Set<String> taken = new HashSet<>();

        void free(String node, Vec before) {
            free.putIfAbsent(node, before);
        }

        void held(String queue, Map<String, Vec> current) {
            held.putIfAbsent(queue, current.containsKey(queue) ? current.get(queue).copy() : null);
        }

        void revert(Map<String, Vec> freeNow, Map<String, Vec> heldNow, Set<String> takenNow) {
            freeNow.putAll(free);
            held.forEach((q, v) -> {
                if (v == null) heldNow.remove(q);
                else heldNow.put(q, v);
            });
            takenNow.removeAll(taken);
        }
    }
}
