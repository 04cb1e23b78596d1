package dev.berth.scheduler.placement;

import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
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
                         Map<String, Integer> failures, Plan plan) {
    }

    public static Result run(List<Candidate> nodes, List<JobSpec> jobs) {
        var asks = new ArrayList<Ask>();
        var tasksPerInstance = new TreeMap<String, Integer>();
        var gangs = new HashSet<String>();
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
                asks.add(new Ask(key, g.count(), each, ports, HostNetwork.constraints(g), g.spread(), job.priority()));
                tasksPerInstance.put(key, g.tasks().size());
                if (g.gang()) gangs.add(key);
            }
        }
        long t0 = System.nanoTime();
        Plan plan = Gangs.place(nodes, asks, gangs);
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
        return new Result(placed, unplaced, used.size(), ms, rate, failures, plan);
    }
}
