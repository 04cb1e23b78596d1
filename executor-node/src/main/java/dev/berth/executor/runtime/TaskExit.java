package dev.berth.executor.runtime;

/**
 * How a task ended: an exit code, or the signal that killed it (then {@code code} is 128 + signal),
 * whether the kernel's OOM killer did it, and what it used (null when its cgroup could not be read).
 */
public record TaskExit(int code, Integer signal, boolean oomKilled, dev.berth.model.Accounting accounting) {
    public TaskExit(int code, Integer signal) {
        this(code, signal, false, null);
    }

    public TaskExit(int code, Integer signal, boolean oomKilled) {
        this(code, signal, oomKilled, null);
    }

    public boolean success() {
        return code == 0 && signal == null && !oomKilled;
    }
}
