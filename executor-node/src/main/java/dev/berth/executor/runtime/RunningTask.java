package dev.berth.executor.runtime;

import java.util.concurrent.CompletableFuture;

/** A started task: its pid, its coming exit, and the two signals a stop needs. */
public interface RunningTask {
    long pid();

    CompletableFuture<TaskExit> exit();

    /** SIGTERM: the task may clean up. */
    void terminate();

    /** SIGKILL to the task and everything it started. */
    void kill();

    /** Its address and published ports, for the allocation; null when it has no network of its own. */
    default dev.berth.model.AllocNetwork network() {
        return null;
    }
}
