package dev.berth.executor.runtime;

import dev.berth.model.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;

/** Starts the process of one task. The container runtime (namespaces, cgroups, rootfs) is one of these. */
public interface TaskRuntime {
    /**
     * @param allocDir the allocation's own dir; its {@code stdout.log} and {@code stderr.log} receive the output
     * @throws TaskStartException when the task cannot start, with a reason a user can act on
     */
    RunningTask start(String allocationId, TaskSpec task, Path allocDir) throws TaskStartException, IOException;

    /** What each running task (by allocation id) has used so far, from its cgroup. */
    /** The node's container subnet; null while it waits for the schedulers to lease it one (or has no bridge network). */
    default String subnet() {
        return null;
    }

    /** Whether the bridge network waits for a subnet leased by the schedulers ({@link #startNetwork}). */
    default boolean needsSubnet() {
        return false;
    }

    /** The subnet an earlier run of this node was leased, to ask for again; null: none. */
    default String previousSubnet() {
        return null;
    }

    /** Starts the bridge network on the subnet the schedulers leased. Blocking. */
    default void startNetwork(String subnet) throws IOException {
    }

    /** Routes to other nodes' containers (a runtime without a bridge network has none to make). Blocking. */
    default void routeTo(String selfId, java.util.List<dev.berth.executor.network.NodeNetwork.Peer> peers) throws IOException {
    }

    default java.util.Map<String, dev.berth.executor.cgroup.CgroupUsage> usage() {
        return java.util.Map.of();
    }

    /** Whether everything the task needs is on the node (its image); else {@link #fetch} first. */
    default boolean ready(TaskSpec task) throws IOException {
        return true;
    }

    /**
     * Fetches what the task lacks (its image, from a registry), telling {@code progress} how it
     * goes in words a user reads on the allocation. Blocking.
     *
     * @throws TaskStartException when it cannot be had, with the reason
     */
    default void fetch(TaskSpec task, java.util.function.Consumer<String> progress) throws TaskStartException {
    }

    /**
     * Finds what an earlier run of the executor left (it died with tasks running), stops and removes
     * it, and returns the allocation ids it belonged to, so that their end can be reported.
     */
    default java.util.List<String> recover() throws IOException {
        return java.util.List.of();
    }

    /** Called once every task has ended, on shutdown: removes what the runtime made for all tasks. */
    default void close() throws IOException {
    }
}
