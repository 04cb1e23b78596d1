package dev.berth.bench;

import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.scheduler.placement.Candidate;
import dev.berth.scheduler.placement.TimedSimulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./berth bench sim}: a day of a shared cluster, simulated on the real pass — 10,000 nodes of
 * 32 cores and 128 GiB, 1,000,000 tasks in array jobs of four teams' queues, arriving with the
 * working day (three times as many in its middle as at night), 1–8 cores each, 5 minutes to 6 hours (two on average),
 * a few urgent jobs of priority 80 that preempt. Target: under a minute here.
 */
final class SimBench {
    private SimBench() {
    }

    public static void main(String[] args) {
        int nodes = 10_000;
        int tasks = 1_000_000;
        long seed = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[i + 1]);
                case "--tasks" -> tasks = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--nodes N --tasks N --seed N)");
            }
        }
        var cluster = new ArrayList<Candidate>();
        for (int i = 0; i < nodes; i++) {
            cluster.add(Candidate.empty("n" + i, Resources.of(Cpu.cores(32), ByteSize.mebibytes(128 * 1024)), Map.of()));
        }
        var queues = Map.of(
                "prod", new QueueSpec("prod", 4, new QueueSpec.Quota(Cpu.cores(32L * nodes * 4 / 10), null, Map.of()), true, null),
                "research", new QueueSpec("research", 2, null, false, null),
                "batch", new QueueSpec("batch", 1, null, false, null),
                "adhoc", new QueueSpec("adhoc", 1, new QueueSpec.Quota(Cpu.cores(32L * nodes / 20), null, Map.of()), false, null));
        var jobs = workload(tasks, new Random(seed));
        System.out.printf("simulating a day: %,d nodes (32 cores, 128Gi each), %,d tasks in %,d jobs, 4 queues, 1 s passes%n", nodes, tasks, jobs.size());
        var settings = new TimedSimulation.Settings(Duration.ofSeconds(1), Duration.ofHours(24), Duration.ofHours(1), Duration.ofHours(24));
        var r = TimedSimulation.run(cluster, queues, jobs, settings);
        System.out.printf("%n%-10s %14s %7s %13s %10s %10s %10s %9s %9s %12s%n", "QUEUE", "CPU-SECONDS", "SHARE", "CONTENDED", "WAIT P50", "WAIT P95",
                "WAIT P99", "STARTED", "DONE", "PREEMPTIONS");
        for (var q : r.queues().values()) {
            System.out.printf("%-10s %14.3e %6.1f%% %13.3e %9.0fs %9.0fs %9.0fs %,9d %,9d %,12d%n", q.queue(), q.cpuSeconds(), q.share() * 100,
                    q.contendedCpuSeconds(), q.waitP50(), q.waitP95(), q.waitP99(), q.started(), q.completed(), q.preemptions());
        }
        var util = new StringBuilder();
        for (int h = 0; h < r.utilisation().length; h++) util.append(String.format(" %02d:%3.0f%%", h, r.utilisation()[h] * 100));
        System.out.printf("%ncluster cpu allocated, by hour:%s%nmean %.1f%%; %,d passes, %,d placements, %,d tasks not done at the end of the day%n",
                util, r.meanUtilisation() * 100, r.passes(), r.placed(), r.unfinished());
        System.out.printf("%nsimulated %.0f h in %.1f s (target: under 60 s) — %,.0f placements/s of simulated work%n",
                r.simulatedSeconds() / 3600, r.elapsedMs() / 1000, r.placed() / (r.elapsedMs() / 1000));
    }

    /** Array jobs of 50–400 tasks until {@code tasks}, their arrivals following the working day. */
    static List<TimedSimulation.SimJob> workload(int tasks, Random rnd) {
        String[] queues = {"prod", "research", "batch", "adhoc"};
        double[] queueWeights = {0.3, 0.3, 0.3, 0.1};
        int[] cores = {1, 2, 4, 8};
        double[] coreWeights = {0.3, 0.3, 0.25, 0.15};
        var specs = new HashMap<String, JobSpec>();
        var out = new ArrayList<TimedSimulation.SimJob>();
        int made = 0;
        while (made < tasks) {
            int count = Math.min(tasks - made, 50 + rnd.nextInt(351));
            String queue = queues[pick(rnd, queueWeights)];
            int c = cores[pick(rnd, coreWeights)];
            // prod's 55 orders it first but preempts nothing; the urgent 1% (80) may preempt
            int priority = rnd.nextInt(100) == 0 ? 80 : queue.equals("prod") ? 55 : 50;
            String key = queue + "/" + c + "/" + priority + "/" + count;
            JobSpec spec = specs.computeIfAbsent(key, k -> spec(queue, c, priority, count));
            // arrivals: density 1 + sin/2 over the day, three times as many at 14:00 as at 02:00
            double t;
            do {
                t = rnd.nextDouble() * 86_400;
            } while (rnd.nextDouble() * 1.5 > 1 + 0.5 * Math.sin((t / 86_400 - 0.33) * 2 * Math.PI));
            long minutes = Math.min(360, 5 + (long) (-Math.log(1 - rnd.nextDouble()) * 120));
            out.add(new TimedSimulation.SimJob(spec, Duration.ofSeconds((long) t), Map.of("g", Duration.ofMinutes(minutes))));
            made += count;
        }
        return out;
    }

    static JobSpec spec(String queue, int cores, int priority, int count) {
        String json = """
                {"name": "%s-%dc", "queue": "%s", "priority": %d, "groups": [{"name": "g", "count": %d, "tasks": [{"image": "app",
                 "command": ["run"], "resources": {"cpu": "%d", "memory": "%dGi"}}]}]}""".formatted(queue, cores, queue, priority, count, cores, cores * 4);
        return ((SpecResult.Valid) SpecReader.read(json, "application/json")).spec();
    }

    static int pick(Random rnd, double[] weights) {
        double x = rnd.nextDouble();
        for (int i = 0; i < weights.length; i++) {
            if ((x -= weights[i]) < 0) return i;
        }
        return weights.length - 1;
    }
}
