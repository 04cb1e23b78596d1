package dev.berth.scheduler.placement;

import dev.berth.model.AllocNetwork;
import dev.berth.model.Allocation;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.RestartPolicy;
import dev.berth.model.spec.TaskSpec;
import dev.berth.scheduler.state.StaleLeaderException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a placement pass as one plan, as Nomad's plan applier does: the pass proposes, and at
 * commit each node's free room is checked again against the state as it is then (a node may have
 * gone down, been drained, or filled meanwhile). What still fits is written, in the plan's order;
 * what no longer does goes back to waiting with the reason. A write that fails part-way does not
 * lose the rest: every placement written is returned to be sent, whatever came after it.
 */
public final class PlanApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);

    private PlanApplier() {
    }

    /** One placement the core proposed: the allocation, its node, the task as the node runs it, its ports. */
    public record Placement(Allocation allocation, String nodeId, TaskSpec task, AllocNetwork network, RestartPolicy restart) {
    }

    /** A node as the state says at commit: whether it takes work, what it offers, what its placed allocations hold. */
    public record Room(boolean takesWork, Resources capacity, Resources used, Set<Integer> ports) {
    }

    /** The placements that still fit, in order, and the reason for each that does not (by allocation id). */
    public record Check(List<Placement> fits, Map<String, String> refused) {
    }

    /** Pure: walks the plan in order, each placement taking its room from its node. */
    public static Check check(List<Placement> plan, Map<String, Room> rooms) {
        var used = new HashMap<String, Resources>();
        var ports = new HashMap<String, Set<Integer>>();
        var fits = new ArrayList<Placement>();
        var refused = new LinkedHashMap<String, String>();
        for (Placement p : plan) {
            Room room = rooms.get(p.nodeId());
            String why = null;
            if (room == null) why = "node " + p.nodeId() + " is gone";
            else if (!room.takesWork()) why = "node " + p.nodeId() + " takes no new work now";
            else {
                Resources after = used.getOrDefault(p.nodeId(), room.used()).plus(p.allocation().resources());
                String short_ = shortOf(room.capacity(), after);
                var taken = ports.computeIfAbsent(p.nodeId(), k -> new HashSet<>(room.ports()));
                var wanted = p.network() == null ? List.<Integer>of() : p.network().ports().stream().map(m -> m.host()).toList();
                var clash = wanted.stream().filter(taken::contains).findFirst();
                if (short_ != null) why = "insufficient " + short_ + " on " + p.nodeId() + " at commit";
                else if (clash.isPresent()) why = "port " + clash.get() + " taken on " + p.nodeId() + " at commit";
                else {
                    used.put(p.nodeId(), after);
                    taken.addAll(wanted);
                }
            }
            if (why == null) fits.add(p);
            else refused.put(p.allocation().id(), why);
        }
        return new Check(fits, refused);
    }

    /** The first resource that {@code after} exceeds {@code capacity} in, or null. */
    static String shortOf(Resources capacity, Resources after) {
        if (after.cpu().millicores() > capacity.cpu().millicores()) return "cpu";
        if (after.memory().bytes() > capacity.memory().bytes()) return "memory";
        if (capacity.pids() > 0 && after.pids() > capacity.pids()) return "pids";
        for (var e : after.extended().entrySet()) {
            if (e.getValue() > capacity.extended().getOrDefault(e.getKey(), 0L)) return e.getKey();
        }
        return null;
    }

    /**
     * Writes each placement that fits with {@code write} (empty: it changed meanwhile, e.g. was
     * stopped) and returns those written. A write that throws costs only its own placement, which
     * stays pending for the next pass; a newer leader's fence ends the commit, since none of this
     * leader's writes can succeed after it.
     */
    public static List<Placement> commit(List<Placement> fits, Function<Placement, Optional<Allocation>> write) {
        var written = new ArrayList<Placement>();
        for (Placement p : fits) {
            try {
                write.apply(p).ifPresent(a -> written.add(new Placement(a, p.nodeId(), p.task(), p.network(), p.restart())));
            } catch (StaleLeaderException e) {
                LOG.info("placement commit ends: {}", e.getMessage());
                break;
            } catch (RuntimeException e) {
                LOG.warn("allocation {}: its placement on {} was not written, it waits for the next pass: {}", p.allocation().id(), p.nodeId(), e.toString());
            }
        }
        return written;
    }
}
