package dev.berth.model.spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One container: what to run, with what limits, on what network, and how tightly it is held.
 *
 * @param seccomp "default" (Berth's deny list) or "unconfined"
 * @param userns  ask for a user namespace; refused where the node cannot make one
 */
public record TaskSpec(String name, String image, List<String> command, Map<String, String> env, String workdir,
                       String user, Resources resources, NetworkSpec network, Duration killTimeout,
                       List<Volume> volumes, boolean readOnlyRootfs, List<String> capAdd, List<String> capDrop,
                       String seccomp, boolean userns) {
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
                Duration.ofSeconds(10), List.of(), false, List.of(), List.of(), "default", false);
    }

    /** A host path mounted into the container; read-only unless said otherwise. */
    public record Volume(String source, String target, boolean readOnly) {
    }
}
