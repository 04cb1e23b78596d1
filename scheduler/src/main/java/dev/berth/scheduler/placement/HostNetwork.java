package dev.berth.scheduler.placement;

import dev.berth.model.Node;
import dev.berth.model.NodeStatus;
import dev.berth.model.spec.Constraint;
import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.NetworkMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Network mode host is a node's choice: a node that allows it says so in its attribute
 * {@value #ATTRIBUTE}; tasks asking for it go only there. Pure.
 */
public final class HostNetwork {
    public static final String ATTRIBUTE = Node.HOST_NETWORK;
    static final Constraint ALLOWED = new Constraint("${attr." + ATTRIBUTE + "}", "=", "true");

    private HostNetwork() {
    }

    public static boolean wanted(GroupSpec group) {
        return group.tasks().stream().anyMatch(t -> t.network().mode() == NetworkMode.HOST);
    }

    /**
     * What a node must offer the group: its own constraints, the host-network one when a task asks
     * for that mode, and the node policy's rules its tasks need (capabilities, seccomp, task size).
     */
    public static List<Constraint> constraints(GroupSpec group) {
        var out = new ArrayList<>(group.constraints());
        if (wanted(group)) out.add(ALLOWED);
        out.addAll(dev.berth.model.policy.NodePolicy.constraints(group));
        return out;
    }

    /** A job asking for host networking where no live node allows it is refused at once, at the field. */
    public static List<FieldError> check(JobSpec spec, Collection<Node> nodes) {
        boolean anyAllows = nodes.stream().anyMatch(n -> n.status() != NodeStatus.DOWN && "true".equals(n.attributes().get(ATTRIBUTE)));
        var errors = new ArrayList<FieldError>();
        if (anyAllows) return errors;
        for (int g = 0; g < spec.groups().size(); g++) {
            var tasks = spec.groups().get(g).tasks();
            for (int t = 0; t < tasks.size(); t++) {
                if (tasks.get(t).network().mode() == NetworkMode.HOST) {
                    errors.add(new FieldError("groups[" + g + "].tasks[" + t + "].network.mode",
                            "host networking is not allowed on any node of this cluster (a node allows it with --allow-host-network)"));
                }
            }
        }
        return errors;
    }
}
