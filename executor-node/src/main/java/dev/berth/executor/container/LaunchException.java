package dev.berth.executor.container;

/** A container could not start; the message says which step failed and why. */
public final class LaunchException extends Exception {
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
