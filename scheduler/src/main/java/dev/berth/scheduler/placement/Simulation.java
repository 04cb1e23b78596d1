package dev.berth.scheduler.placement;

import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Places jobs on a described cluster with the real core and no executor: {@code berth sim}, and the
 * what-if of capacity planning. A placement is one task placed.
 */
public final class Simulation {
    private Simulation() {
    }

    public record Result(int placed, int unplaced, int nodesUsed, double elapsedMs, double placementsPerSecond,
                         Map<String, Integer> failures, Plan plan, List<Preemption.Eviction> evictions) {
    }

    public static Result run(List<Candidate> nodes, List<JobSpec> jobs) {
        return run(nodes, List.of(), Map.of(), Map.of(), jobs);
    }

    /**
     * On a cluster where {@code running} runs, with its queues and their recent shares: the pass as
     * the leader would make it for these jobs alone (other waiting work is not counted), preemptions included.
     */
    public static Result run(List<Candidate> nodes, List<Preemption.Running> running, Map<String, QueueSpec> queues,
                             Map<String, Double> recent, List<JobSpec> jobs) {
        var asks = new ArrayList<Ask>();
        var tasksPerInstance = new TreeMap<String, Integer>();
        var waiting = new ArrayList<FairShare.Waiting>();
        int j = 0;
        for (JobSpec job : jobs) {
            String jobKey = job.name() + "#" + j++;
            for (GroupSpec g : job.groups()) {
                Resources each = g.tasks().stream().map(TaskSpec::resources).reduce(Resources.NONE, Resources::plus);
                var ports = new HashSet<Integer>();
                for (TaskSpec t : g.tasks()) t.network().ports().forEach(p -> {
                    if (p.staticPort() != null) ports.add(p.staticPort());
                });
                String key = jobKey + "/" + g.name();
                var ask = new Ask(key, g.count(), each, ports, HostNetwork.constraints(g), g.spread(), job.priority());
                asks.add(ask);
                waiting.add(new FairShare.Waiting(ask, jobKey, job.queue(), java.time.Instant.EPOCH.plusSeconds(j), g.gang(), job.preemptible()));
                tasksPerInstance.put(key, g.tasks().size());
            }
        }
        long t0 = System.nanoTime();
        var decision = SharedPass.run(new SharedPass.Input(nodes, running, waiting, queues, recent));
        Plan plan = decision.plan();
        double ms = (System.nanoTime() - t0) / 1e6;
        int placed = 0, unplaced = 0;
        var used = new HashSet<String>();
        var failures = new TreeMap<String, Integer>();
        for (Ask a : asks) {
            int tasks = tasksPerInstance.get(a.key());
            var nodesOf = plan.placed().getOrDefault(a.key(), List.of());
            placed += nodesOf.size() * tasks;
            used.addAll(nodesOf);
            var f = plan.failed().get(a.key());
            if (f != null) {
                unplaced += f.count() * tasks;
                f.reasons().forEach((r, n) -> failures.merge(r, n, Integer::sum));
            }
        }
        double rate = ms > 0 ? placed / (ms / 1000) : placed;
        return new Result(placed, unplaced, used.size(), ms, rate, failures, plan, decision.evictions());
    }
}
