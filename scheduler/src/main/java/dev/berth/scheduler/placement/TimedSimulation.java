package dev.berth.scheduler.placement;

import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * A discrete-event simulation of a shared cluster over time, on the real pass ({@link SharedPass}:
 * fair share, quotas, priorities, gangs, preemption): jobs arrive at their {@code submitAt}, each
 * instance runs for its group's duration, and a pass runs on the scheduler's tick whenever something
 * changed (work arrived or ended). What it reports per queue — cpu-seconds delivered, its share of
 * the cluster, waits, preemptions — is what the policy would do, as Slurm's simulator shows for
 * Slurm's. Not modelled: start latency, failures and restarts, ports.
 */
public final class TimedSimulation {
    private TimedSimulation() {
    }

    /**
     * A job of the workload.
     *
     * @param durations how long one instance of each group runs; a group not named runs until the end
     */
    public record SimJob(JobSpec spec, Duration submitAt, Map<String, Duration> durations) {
    }

    /**
     * @param passEvery   the scheduler's tick (1 s)
     * @param halfLife    the fair share's half-life
     * @param sampleEvery the width of one utilisation sample
     * @param horizon     when to stop; null: when all work that ends has ended
     */
    public record Settings(Duration passEvery, Duration halfLife, Duration sampleEvery, Duration horizon) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), Duration.ofHours(24), Duration.ofMinutes(1), null);
        }
    }

    /**
     * @param cpuSeconds          cpu held × time run, preempted runs included
     * @param share               cpuSeconds over the cluster's cpu × the simulated time
     * @param contendedCpuSeconds cpuSeconds while two or more queues had work waiting (where the weights decide)
     */
    public record QueueReport(String queue, double cpuSeconds, double share, double contendedCpuSeconds,
                              double waitP50, double waitP95, double waitP99, long started, long completed, long preemptions) {
    }

    /** @param utilisation the cluster's allocated cpu as a fraction of its capacity, one value per sample */
    public record Report(Map<String, QueueReport> queues, double simulatedSeconds, double meanUtilisation, double[] utilisation,
                         double sampleSeconds, long passes, long placed, long unfinished, double elapsedMs) {
    }

    /** One group of one job: its waiting instances (by when each began to wait) and what one needs. */
    private static final class Group {
        final String key;
        final String jobId;
        final String queue;
        final Ask ask;
        final Vec each;
        final Resources resources;
        final long durationMs; // -1: until the end
        final boolean gang;
        final boolean preemptible;
        final long submitMs;
        final ArrayDeque<Long> waitingSince = new ArrayDeque<>();

        Group(String key, String jobId, JobSpec job, GroupSpec g, long durationMs, long submitMs, List<String> dims) {
            this.key = key;
            this.jobId = jobId;
            this.queue = job.queue();
            this.resources = g.tasks().stream().map(TaskSpec::resources).reduce(Resources.NONE, Resources::plus);
            this.ask = new Ask(key, g.count(), resources, java.util.Set.of(), HostNetwork.constraints(g), g.spread(), job.priority());
            this.each = Vec.of(resources, dims);
            this.durationMs = durationMs;
            this.gang = g.gang();
            this.preemptible = job.preemptible();
            this.submitMs = submitMs;
        }
    }

    private record Run(long id, Group group, int node, long startMs, long endMs) {
    }

    public static Report run(List<Candidate> nodes, Map<String, QueueSpec> queues, List<SimJob> jobs, Settings s) {
        return new World(nodes, queues, jobs, s).run();
    }

    private static final class World {
        final List<Candidate> nodes;
        final Map<String, QueueSpec> queues;
        final Settings s;
        final List<String> dims;
        final Vec[] cap;
        final Vec[] used;
        final Resources total;
        final long totalCpu;
        final Map<String, Integer> index = new HashMap<>();
        final List<Group> groups = new ArrayList<>();
        final long[][] submits; // [i] = {time, group index}
        final Map<Long, Run> running = new LinkedHashMap<>();
        final PriorityQueue<long[]> ends = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0])); // {time, run id}
        final Map<String, Vec> held = new HashMap<>();
        final Map<String, RecentUsage> recent = new HashMap<>();
        final TreeMap<Integer, Integer> preemptiblePriorities = new TreeMap<>();
        final Map<String, double[]> cpuSeconds = new TreeMap<>(); // queue → {all, contended}
        final Map<String, long[]> counts = new TreeMap<>(); // queue → {started, completed, preemptions}
        final Map<String, List<Long>> waits = new TreeMap<>();
        final Map<String, Integer> waitingByQueue = new HashMap<>();
        final List<Double> samples = new ArrayList<>();
        long heldCpu;
        long lastMs;
        long lastEndMs;
        long nextRunId;
        long passes;
        long placed;

        World(List<Candidate> nodes, Map<String, QueueSpec> queues, List<SimJob> jobs, Settings s) {
            this.nodes = nodes;
            this.queues = queues;
            this.s = s;
            var all = new ArrayList<Resources>();
            nodes.forEach(n -> all.add(n.capacity()));
            jobs.forEach(j -> j.spec().groups().forEach(g -> g.tasks().forEach(t -> all.add(t.resources()))));
            dims = Vec.dims(all);
            cap = new Vec[nodes.size()];
            used = new Vec[nodes.size()];
            Resources sum = Resources.NONE;
            for (int i = 0; i < nodes.size(); i++) {
                cap[i] = Vec.of(nodes.get(i).capacity(), dims);
                used[i] = Vec.of(nodes.get(i).used(), dims);
                index.put(nodes.get(i).id(), i);
                if (nodes.get(i).eligible()) sum = sum.plus(nodes.get(i).capacity());
            }
            total = sum;
            totalCpu = sum.cpu().millicores();
            var subs = new ArrayList<long[]>();
            int j = 0;
            for (SimJob job : jobs) {
                String jobId = job.spec().name() + "#" + j++;
                long at = job.submitAt().toMillis();
                for (GroupSpec g : job.spec().groups()) {
                    Duration d = job.durations().get(g.name());
                    subs.add(new long[] {at, groups.size()});
                    groups.add(new Group(jobId + "/" + g.name(), jobId, job.spec(), g, d == null ? -1 : d.toMillis(), at, dims));
                }
            }
            subs.sort((a, b) -> Long.compare(a[0], b[0]));
            submits = subs.toArray(long[][]::new);
        }

        Report run() {
            long t0 = System.nanoTime();
            long tick = Math.max(1, s.passEvery().toMillis());
            long horizon = s.horizon() == null ? Long.MAX_VALUE : s.horizon().toMillis();
            int nextSubmit = 0;
            long now = 0;
            boolean changed = false;
            var waiting = new LinkedHashMap<String, Group>();
            while (now <= horizon) {
                // everything that happened up to this tick: ends (at their own times), then arrivals
                while (!ends.isEmpty() && ends.peek()[0] <= now) {
                    long[] e = ends.poll();
                    Run r = running.get(e[1]);
                    if (r == null) continue; // preempted before its end
                    advance(e[0]);
                    finish(r, e[0], true);
                    changed = true;
                }
                while (nextSubmit < submits.length && submits[nextSubmit][0] <= now) {
                    Group g = groups.get((int) submits[nextSubmit][1]);
                    advance(submits[nextSubmit][0]);
                    for (int i = 0; i < g.ask.count(); i++) g.waitingSince.add(submits[nextSubmit][0]);
                    waitingByQueue.merge(g.queue, g.ask.count(), Integer::sum);
                    waiting.put(g.key, g);
                    nextSubmit++;
                    changed = true;
                }
                advance(now);
                waiting.values().removeIf(g -> g.waitingSince.isEmpty());
                if (changed && !waiting.isEmpty()) {
                    pass(waiting, now);
                    waiting.values().removeIf(g -> g.waitingSince.isEmpty());
                }
                changed = false;
                // the next tick at which anything can change
                long next = Long.MAX_VALUE;
                if (!ends.isEmpty()) next = Math.min(next, ends.peek()[0]);
                if (nextSubmit < submits.length) next = Math.min(next, submits[nextSubmit][0]);
                if (next == Long.MAX_VALUE) break;
                now = Math.max(now + tick, (next + tick - 1) / tick * tick);
            }
            long endMs = horizon != Long.MAX_VALUE ? horizon : Math.max(lastEndMs, lastMs);
            advance(endMs);
            long unfinished = 0;
            for (Group g : groups) unfinished += g.waitingSince.size();
            unfinished += running.size();
            for (Run r : new ArrayList<>(running.values())) finish(r, endMs, false);
            double seconds = endMs / 1000.0;
            var out = new LinkedHashMap<String, QueueReport>();
            for (var e : counts.entrySet()) {
                String q = e.getKey();
                double[] cs = cpuSeconds.getOrDefault(q, new double[2]);
                long[] w = waits.getOrDefault(q, List.of()).stream().mapToLong(Long::longValue).sorted().toArray();
                out.put(q, new QueueReport(q, cs[0], seconds > 0 && totalCpu > 0 ? cs[0] / (totalCpu / 1000.0 * seconds) : 0, cs[1],
                        pct(w, 0.50), pct(w, 0.95), pct(w, 0.99), e.getValue()[0], e.getValue()[1], e.getValue()[2]));
            }
            double[] util = samples.stream().mapToDouble(Double::doubleValue).toArray();
            double mean = 0;
            double allCpu = cpuSeconds.values().stream().mapToDouble(c -> c[0]).sum();
            if (seconds > 0 && totalCpu > 0) mean = allCpu / (totalCpu / 1000.0 * seconds);
            return new Report(out, seconds, mean, util, s.sampleEvery().toMillis() / 1000.0, passes, placed, unfinished, (System.nanoTime() - t0) / 1e6);
        }

        /** Integrates what is held from the last moment to {@code ms}: cpu-seconds per queue, contention, utilisation samples. */
        void advance(long ms) {
            if (ms <= lastMs) return;
            long from = lastMs;
            double dt = (ms - from) / 1000.0;
            boolean contended = waitingByQueue.values().stream().filter(n -> n > 0).count() >= 2;
            for (var e : held.entrySet()) {
                double cpu = e.getValue().at(0) / 1000.0;
                if (cpu == 0) continue;
                double[] cs = cpuSeconds.computeIfAbsent(e.getKey(), k -> new double[2]);
                if (contended) cs[1] += cpu * dt;
            }
            long width = Math.max(1, s.sampleEvery().toMillis());
            while (from < ms) {
                int bucket = (int) (from / width);
                while (samples.size() <= bucket) samples.add(0.0);
                long upto = Math.min(ms, (bucket + 1L) * width);
                if (totalCpu > 0) samples.set(bucket, samples.get(bucket) + heldCpu * (double) (upto - from) / ((double) totalCpu * width));
                from = upto;
            }
            lastMs = ms;
        }

        void pass(Map<String, Group> waiting, long now) {
            passes++;
            var work = new ArrayList<FairShare.Waiting>();
            Vec smallest = null;
            boolean maybePreempt = false;
            int lowest = preemptiblePriorities.isEmpty() ? Integer.MAX_VALUE : preemptiblePriorities.firstKey();
            for (Group g : waiting.values()) {
                int n = g.gang ? (g.waitingSince.size() == g.ask.count() ? g.ask.count() : 0) : g.waitingSince.size();
                if (n == 0) continue;
                work.add(new FairShare.Waiting(g.ask.withCount(n), g.jobId, g.queue, java.time.Instant.ofEpochMilli(g.submitMs), g.gang, g.preemptible));
                smallest = smallest == null ? g.each.copy() : smallest.atMost(g.each);
                if (lowest != Integer.MAX_VALUE && g.ask.priority() - Preemption.PRIORITY_GAP >= lowest) maybePreempt = true;
                // taking back a quota: this queue within its own, another beyond its
                var q = queues.get(g.queue);
                if (!maybePreempt && q != null && q.quota() != null && !preemptiblePriorities.isEmpty()
                        && FairShare.withinQuota(q, held.getOrDefault(g.queue, Vec.zero(dims)), g.each) && anyOverQuota(g.queue)) {
                    maybePreempt = true;
                }
            }
            if (work.isEmpty()) return;
            // only the nodes with room for the smallest waiting instance, unless preemption may look at full ones
            var candidates = new ArrayList<Candidate>();
            for (int i = 0; i < nodes.size(); i++) {
                if (!nodes.get(i).eligible()) continue;
                if (!maybePreempt && cap[i].minus(used[i]).fits(smallest) < 1) continue;
                candidates.add(candidate(i));
            }
            var runningNow = new ArrayList<Preemption.Running>();
            if (maybePreempt) {
                for (Run r : running.values()) {
                    runningNow.add(new Preemption.Running(Long.toString(r.id), r.group.jobId, r.group.queue, nodes.get(r.node).id(), r.group.resources,
                            r.group.ask.priority(), r.group.preemptible, java.time.Instant.ofEpochMilli(r.startMs)));
                }
            }
            var heldNow = new HashMap<String, Resources>();
            held.forEach((q, v) -> heldNow.put(q, resources(v)));
            var shares = new HashMap<String, Double>();
            for (String q : allQueues(waiting)) {
                var before = recent.getOrDefault(q, RecentUsage.none(java.time.Instant.EPOCH));
                double share = held.containsKey(q) ? held.get(q).dominantShare(Vec.of(total, dims)) : 0;
                var after = before.advance(share, java.time.Instant.ofEpochMilli(now), s.halfLife());
                recent.put(q, after);
                shares.put(q, after.average(s.halfLife()));
            }
            var decision = SharedPass.run(new SharedPass.Input(candidates, runningNow, work, queues, shares, false,
                    new SharedPass.Summary(total, heldNow)));
            for (var e : decision.evictions()) {
                Run victim = running.get(Long.parseLong(e.victim().id()));
                if (victim == null) continue;
                finish(victim, now, false);
                counts.get(victim.group.queue)[2]++;
                victim.group.waitingSince.add(now);
                waitingByQueue.merge(victim.group.queue, 1, Integer::sum);
                waiting.put(victim.group.key, victim.group);
            }
            for (var e : decision.plan().placed().entrySet()) {
                Group g = waiting.get(e.getKey());
                for (String node : e.getValue()) start(g, index.get(node), now);
            }
        }

        boolean anyOverQuota(String besides) {
            for (var e : held.entrySet()) {
                if (e.getKey().equals(besides)) continue;
                var q = queues.get(e.getKey());
                if (q != null && q.borrow() && FairShare.overQuota(q, e.getValue())) return true;
            }
            return false;
        }

        java.util.Set<String> allQueues(Map<String, Group> waiting) {
            var out = new HashSet<String>(held.keySet());
            waiting.values().forEach(g -> out.add(g.queue));
            return out;
        }

        void start(Group g, int node, long now) {
            long since = g.waitingSince.poll();
            waitingByQueue.merge(g.queue, -1, Integer::sum);
            waits.computeIfAbsent(g.queue, k -> new ArrayList<>()).add(now - since);
            counts.computeIfAbsent(g.queue, k -> new long[3])[0]++;
            long id = nextRunId++;
            long end = g.durationMs < 0 ? -1 : now + g.durationMs;
            var r = new Run(id, g, node, now, end);
            running.put(id, r);
            if (end >= 0) ends.add(new long[] {end, id});
            used[node].add(g.each, 1);
            held.computeIfAbsent(g.queue, k -> Vec.zero(dims)).add(g.each, 1);
            heldCpu += g.each.at(0);
            if (g.preemptible) preemptiblePriorities.merge(g.ask.priority(), 1, Integer::sum);
            placed++;
        }

        void finish(Run r, long at, boolean completed) {
            running.remove(r.id);
            used[r.node].subtract(r.group.each, 1);
            held.get(r.group.queue).subtract(r.group.each, 1);
            heldCpu -= r.group.each.at(0);
            cpuSeconds.computeIfAbsent(r.group.queue, k -> new double[2])[0] += r.group.each.at(0) / 1000.0 * (at - r.startMs) / 1000.0;
            if (completed) {
                counts.get(r.group.queue)[1]++;
                lastEndMs = Math.max(lastEndMs, at);
            }
            if (r.group.preemptible) preemptiblePriorities.computeIfPresent(r.group.ask.priority(), (k, v) -> v == 1 ? null : v - 1);
        }

        Candidate candidate(int i) {
            var n = nodes.get(i);
            return new Candidate(n.id(), n.capacity(), resources(used[i]), java.util.Set.of(), n.labels(), n.attributes(), n.eligible());
        }

        Resources resources(Vec v) {
            var ext = new HashMap<String, Long>();
            for (int d = 2; d < dims.size(); d++) if (v.at(d) != 0) ext.put(dims.get(d), v.at(d));
            return new Resources(Cpu.ofMillis(Math.max(0, v.at(0))), new ByteSize(Math.max(0, v.at(1))), 0, IoLimits.UNLIMITED, ext);
        }

        static double pct(long[] sorted, double p) {
            if (sorted.length == 0) return 0;
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
        }
    }
}
