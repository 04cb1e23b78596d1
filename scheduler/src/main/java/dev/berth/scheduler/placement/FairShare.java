package dev.berth.scheduler.placement;

import dev.berth.model.spec.QueueSpec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Which waiting work a pass takes, and in what order: queue by queue by fair share, then priority,
 * then age. Pure.
 *
 * <p>A queue's share is its dominant-resource share (the largest of its fractions of the cluster's
 * cpu, memory and extended resources, as in DRF) of what it holds now, plus the decayed average of
 * what it held in the recent past, divided by its weight; the queue with the lowest share is served
 * next, one instance at a time, so two busy queues of weight 2 and 1 end up holding about 2:1. The
 * recent past keeps a queue that had the cluster yesterday from being served as if it had not (with
 * the default half-life of a day, a short burst hardly moves it). Within a queue, higher priority
 * first, then the older job. Work is taken while the cluster's free room (summed over nodes) can hold
 * it, and while its queue's quota allows; the core then places what was taken.
 */
public final class FairShare {
    private FairShare() {
    }

    /**
     * One group's waiting instances. {@code key} is the ask's key; {@code submittedAt} its job's
     * submission, for the age order.
     */
    public record Waiting(Ask ask, String jobId, String queue, Instant submittedAt, boolean gang, boolean preemptible) {
        public String key() {
            return ask.key();
        }
    }

    /** A queue as a pass sees it: its settings, what it holds now, and its recent decayed share. */
    public record QueueState(QueueSpec spec, Vec held, double recent) {
    }

    /**
     * Where a group stands: its position in the order the pass reached it, the factors of that
     * order, how many instances were taken, and why the rest wait (null: all taken).
     */
    public record Standing(int position, String queue, double share, double weight, int priority, Instant submittedAt,
                           int taken, String waits) {
    }

    /** What was taken (admitted count per ask key, in order) and where every group stands. */
    public record Admission(Map<String, Integer> taken, Map<String, Standing> standings) {
    }

    /** Why a group was not taken in full: its queue's quota (it waits, no preemption helps), or room. */
    static final String ROOM = "the cluster's free room went to work ahead of it in the fair-share order";

    public static Admission admit(List<Waiting> waiting, Map<String, QueueState> queues, Vec total, Vec free) {
        var byQueue = new TreeMap<String, ArrayDeque<Waiting>>();
        var sorted = new ArrayList<>(waiting);
        sorted.sort(Comparator.comparingInt((Waiting w) -> -w.ask().priority())
                .thenComparing(Waiting::submittedAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Waiting::key));
        for (Waiting w : sorted) byQueue.computeIfAbsent(w.queue(), k -> new ArrayDeque<>()).add(w);

        var held = new HashMap<String, Vec>();
        for (String q : byQueue.keySet()) held.put(q, state(queues, q, total).held().copy());
        Vec room = free.copy();
        var taken = new LinkedHashMap<String, Integer>();
        var standings = new LinkedHashMap<String, Standing>();
        var turn = new PriorityQueue<String>(Comparator.comparingDouble((String q) -> share(state(queues, q, total), held.get(q), total)).thenComparing(q -> q));
        turn.addAll(byQueue.keySet());
        while (!turn.isEmpty()) {
            String q = turn.poll();
            var line = byQueue.get(q);
            if (line.isEmpty()) continue;
            Waiting w = line.peek();
            QueueState qs = state(queues, q, total);
            Vec each = Vec.of(w.ask().each(), total.dims());
            int done = taken.getOrDefault(w.key(), 0);
            int left = w.ask().count() - done;
            int byQuota = quotaRoom(qs.spec(), held.get(q), each);
            int byRoom = room.fits(each);
            // One at a time keeps the queues' shares level; a queue alone takes what it can at once.
            int step = turn.isEmpty() ? left : 1;
            int k = w.gang() ? (Math.min(byQuota, byRoom) >= left ? left : 0) : Math.min(Math.min(left, step), Math.min(byQuota, byRoom));
            if (!standings.containsKey(w.key())) {
                standings.put(w.key(), new Standing(standings.size() + 1, q, share(qs, held.get(q), total), qs.spec().weight(),
                        w.ask().priority(), w.submittedAt(), 0, null));
            }
            if (k > 0) {
                taken.merge(w.key(), k, Integer::sum);
                room.subtract(each, k);
                held.get(q).add(each, k);
                if (done + k >= w.ask().count()) line.poll();
            } else {
                String why = byQuota < Math.min(left, w.gang() ? left : 1) ? atQuota(qs.spec(), held.get(q), each) : ROOM;
                line.poll();
                var s = standings.get(w.key());
                standings.put(w.key(), new Standing(s.position(), s.queue(), s.share(), s.weight(), s.priority(), s.submittedAt(), done, why));
            }
            if (!line.isEmpty()) turn.add(q);
        }
        taken.forEach((key, n) -> {
            var s = standings.get(key);
            if (s.waits() == null) standings.put(key, new Standing(s.position(), s.queue(), s.share(), s.weight(), s.priority(), s.submittedAt(), n, null));
        });
        return new Admission(taken, standings);
    }

    static QueueState state(Map<String, QueueState> queues, String q, Vec total) {
        var s = queues.get(q);
        return s != null ? s : new QueueState(QueueSpec.implicit(q), Vec.zero(total.dims()), 0);
    }

    /** The fair-share factor: (recent share + dominant share held now) / weight. Lower is served first. */
    public static double share(QueueState q, Vec held, Vec total) {
        return (q.recent() + held.dominantShare(total)) / q.spec().weight();
    }

    /** How many more instances of {@code each} the queue's quota lets it hold (borrowing: no limit). */
    static int quotaRoom(QueueSpec q, Vec held, Vec each) {
        if (q.quota() == null || q.borrow()) return Integer.MAX_VALUE;
        return Vec.quota(q.quota(), held.dims()).minus(held).fits(each);
    }

    /** Whether the queue holds more than its quota in some resource (it borrows, and may be reclaimed from). */
    public static boolean overQuota(QueueSpec q, Vec held) {
        if (q.quota() == null) return false;
        Vec limit = Vec.quota(q.quota(), held.dims());
        for (int d = 0; d < held.dims().size(); d++) if (held.at(d) > limit.at(d)) return true;
        return false;
    }

    /** Whether the queue can hold {@code each} more and still be within its quota. */
    public static boolean withinQuota(QueueSpec q, Vec held, Vec each) {
        if (q.quota() == null) return false;
        return Vec.quota(q.quota(), held.dims()).minus(held).fits(each) >= 1;
    }

    static String atQuota(QueueSpec q, Vec held, Vec each) {
        Vec limit = Vec.quota(q.quota(), held.dims());
        var parts = new ArrayList<String>();
        for (int d = 0; d < held.dims().size(); d++) {
            if (limit.at(d) < Long.MAX_VALUE && held.at(d) + each.at(d) > limit.at(d)) {
                parts.add(held.dims().get(d) + " " + Vec.show(held.dims().get(d), held.at(d)) + " of " + Vec.show(held.dims().get(d), limit.at(d)));
            }
        }
        return "queue " + q.name() + " is at its quota (" + String.join(", ", parts) + " held)";
    }
}
