package dev.berth.executor.runtime;

/** How a task ended: an exit code, or the signal that killed it (then {@code code} is 128 + signal). */
public record TaskExit(int code, Integer signal) {
    public boolean success() {
        return code == 0 && signal == null;
    }
}
