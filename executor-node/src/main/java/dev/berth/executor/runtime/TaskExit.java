package dev.berth.executor.runtime;

/**
 * How a task ended: an exit code, or the signal that killed it (then {@code code} is 128 + signal),
 * and whether the kernel's OOM killer did it.
 */
public record TaskExit(int code, Integer signal, boolean oomKilled) {
    public TaskExit(int code, Integer signal) {
        this(code, signal, false);
    }

    public boolean success() {
        return code == 0 && signal == null && !oomKilled;
    }
}
