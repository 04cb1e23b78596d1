package dev.berth.model.policy;

import dev.berth.model.spec.Constraint;
import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a node allows a task, whoever submitted it: capabilities beyond Docker's default set, the
 * opt-out of seccomp, and the most cpu and memory one task may ask. The executor refuses a task
 * that breaks a rule, naming it; the node advertises its rules as attributes, so that placement
 * sends a task only where it is allowed and {@code job plan} says which nodes refuse it and why.
 * Pure.
 *
 * @param allowCaps       capabilities a task may add beyond {@link #DOCKER_DEFAULT} ({@code ALL} allows every one)
 * @param maxTaskCpu      null: up to the node's capacity
 * @param maxTaskMemory   null: up to the node's capacity
 */
public record NodePolicy(Set<String> allowCaps, boolean allowUnconfined, Cpu maxTaskCpu, ByteSize maxTaskMemory) {
    /** Docker's and runc's 14 (Berth gives 13 by default, without NET_RAW, which capAdd may bring back). */
    public static final Set<String> DOCKER_DEFAULT = Set.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
            "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");
    public static final NodePolicy DEFAULT = new NodePolicy(Set.of(), false, null, null);

    public static final String CAPS = "policy.caps";
    public static final String UNCONFINED = "policy.unconfined";
    public static final String MAX_TASK_CPU = "policy.max_task_millicores";
    public static final String MAX_TASK_MEMORY = "policy.max_task_memory_bytes";

    public NodePolicy {
        var caps = new TreeSet<String>();
        for (String c : allowCaps) caps.add(canonical(c));
        allowCaps = Set.copyOf(caps);
    }

    public static String canonical(String cap) {
        String n = cap.trim().toUpperCase(Locale.ROOT);
        return n.startsWith("CAP_") ? n.substring(4) : n;
    }

    /** Every capability a task may add here. */
    public Set<String> allowed() {
        var all = new TreeSet<>(DOCKER_DEFAULT);
        all.addAll(allowCaps);
        return all;
    }

    /** Why this node refuses {@code task}, each rule in words; empty when it may run. */
    public List<String> refusals(TaskSpec task) {
        var out = new ArrayList<String>();
        for (String c : task.capAdd()) {
            String cap = canonical(c);
            boolean ok = allowCaps.contains("ALL") || (!cap.equals("ALL") && allowed().contains(cap));
            if (!ok) out.add("capAdd " + cap + " is not allowed on this node (beyond Docker's default set a node allows what --allow-caps lists)");
        }
        if (task.seccomp().equals("unconfined") && !allowUnconfined) out.add("seccomp: unconfined is not allowed on this node (--allow-unconfined allows it)");
        Resources r = task.resources();
        if (maxTaskCpu != null && r.cpu().millicores() > maxTaskCpu.millicores()) {
            out.add("resources.cpu " + r.cpu() + " is more than this node allows one task (--max-task-cpu " + maxTaskCpu + ")");
        }
        if (maxTaskMemory != null && r.memory().bytes() > maxTaskMemory.bytes()) {
            out.add("resources.memory " + r.memory().human() + " is more than this node allows one task (--max-task-memory " + maxTaskMemory.human() + ")");
        }
        return out;
    }

    /** The rules as node attributes; a maximum only when the node sets one (else capacity is the limit, checked as ever). */
    public Map<String, String> attributes() {
        var a = new LinkedHashMap<String, String>();
        a.put(CAPS, allowCaps.contains("ALL") ? "ALL," + String.join(",", allowed()) : String.join(",", allowed()));
        a.put(UNCONFINED, String.valueOf(allowUnconfined));
        if (maxTaskCpu != null) a.put(MAX_TASK_CPU, String.valueOf(maxTaskCpu.millicores()));
        if (maxTaskMemory != null) a.put(MAX_TASK_MEMORY, String.valueOf(maxTaskMemory.bytes()));
        return a;
    }

    /** A maximum a node need not set: a node without the attribute meets it. */
    public static boolean metWhenUnset(Constraint c) {
        return c.attribute().equals(attr(MAX_TASK_CPU)) || c.attribute().equals(attr(MAX_TASK_MEMORY));
    }

    /** What placement requires of a node for this group's tasks: their added capabilities, seccomp, the largest task. */
    public static List<Constraint> constraints(GroupSpec group) {
        var caps = new TreeSet<String>();
        boolean unconfined = false;
        long cpu = 0, memory = 0;
        for (TaskSpec t : group.tasks()) {
            for (String c : t.capAdd()) {
                String cap = canonical(c);
                if (!DOCKER_DEFAULT.contains(cap)) caps.add(cap);
            }
            unconfined |= t.seccomp().equals("unconfined");
            cpu = Math.max(cpu, t.resources().cpu().millicores());
            memory = Math.max(memory, t.resources().memory().bytes());
        }
        var out = new ArrayList<Constraint>();
        if (!caps.isEmpty()) out.add(new Constraint(attr(CAPS), "set_contains", String.join(",", caps)));
        if (unconfined) out.add(new Constraint(attr(UNCONFINED), "=", "true"));
        if (cpu > 0) out.add(new Constraint(attr(MAX_TASK_CPU), ">=", String.valueOf(cpu)));
        if (memory > 0) out.add(new Constraint(attr(MAX_TASK_MEMORY), ">=", String.valueOf(memory)));
        return out;
    }

    /** A placement reason for a policy constraint a node misses, or null for any other constraint. */
    public static String explain(Constraint c) {
        return switch (c.attribute()) {
            case "${attr." + CAPS + "}" -> "node policy refuses capAdd " + c.value();
            case "${attr." + UNCONFINED + "}" -> "node policy refuses seccomp unconfined";
            case "${attr." + MAX_TASK_CPU + "}" -> "node policy allows a task less cpu than " + Cpu.ofMillis(Long.parseLong(c.value()));
            case "${attr." + MAX_TASK_MEMORY + "}" -> "node policy allows a task less memory than " + ByteSize.ofBytes(Long.parseLong(c.value())).human();
            default -> null;
        };
    }

    private static String attr(String name) {
        return "${attr." + name + "}";
    }
}
