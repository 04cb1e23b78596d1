package dev.berth.executor.runtime;

/** The task could not start; the message becomes the allocation's reason. */
public final class TaskStartException extends Exception {
    public TaskStartException(String message) {
        super(message);
    }
}
