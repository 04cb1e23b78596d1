package dev.berth.model.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One container: what to run, with what limits, on what network, and how tightly it is held.
 *
 * @param seccomp        "default" (Berth's deny list) or "unconfined"
 * @param userns         ask for a user namespace; refused where the node cannot make one
 * @param dedicatedCores whole cores that only this task may use (its cpu is then that many cores)
 * @param payload        a dispatched child's payload (base64), which its container reads at /berth/payload; never from a user's spec
 * @param deadline       wall-clock time from its first start after which it is stopped and fails (Slurm's TIMEOUT); null: none
 */
public record TaskSpec(String name, String image, List<String> command, Map<String, String> env, String workdir,
                       String user, Resources resources, NetworkSpec network, Duration killTimeout,
                       List<Volume> volumes, boolean readOnlyRootfs, List<String> capAdd, List<String> capDrop,
                       String seccomp, boolean userns, int dedicatedCores,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Duration deadline,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String payload) {
    public TaskSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        seccomp = seccomp == null ? "default" : seccomp;
    }

    /** A task with the defaults for everything past the basics (tests and simple callers). */
    public static TaskSpec basic(String name, String image, List<String> command, Resources resources) {
        return new TaskSpec(name, image, command, Map.of(), null, null, resources, NetworkSpec.DEFAULT,
                Duration.ofSeconds(10), List.of(), false, List.of(), List.of(), "default", false, 0, null, null);
    }

    public TaskSpec withImage(String i) {
        return new TaskSpec(name, i, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withUser(String u) {
        return new TaskSpec(name, image, command, env, workdir, u, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withVolumes(List<Volume> v) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, v, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withReadOnlyRootfs(boolean ro) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, ro, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withSeccomp(String s) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, s, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withUserns(boolean u) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, u, dedicatedCores, deadline, payload);
    }

    /** Dedicates {@code cores} whole cores, and asks for that much cpu. */
    public TaskSpec withCapabilities(List<String> add, List<String> drop) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, add, drop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    /** The task with these variables laid over its own (theirs win). */
    public TaskSpec withEnv(Map<String, String> more) {
        var merged = new java.util.TreeMap<String, String>(env);
        merged.putAll(more);
        return new TaskSpec(name, image, command, merged, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withPayload(String p) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, p);
    }

    public TaskSpec withDeadline(Duration d) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, d, payload);
    }

    public TaskSpec withNetwork(NetworkSpec n) {
        return new TaskSpec(name, image, command, env, workdir, user, resources, n, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, dedicatedCores, deadline, payload);
    }

    public TaskSpec withDedicatedCores(int cores) {
        var r = new Resources(dev.berth.model.units.Cpu.cores(cores), resources.memory(), resources.pids(), resources.io(), resources.extended());
        return new TaskSpec(name, image, command, env, workdir, user, r, network, killTimeout, volumes, readOnlyRootfs, capAdd, capDrop, seccomp, userns, cores, deadline, payload);
    }

    /** A host path mounted into the container; read-only unless said otherwise. */
    public record Volume(String source, String target, boolean readOnly) {
    }
}
