package dev.berth.executor.cgroup;

import java.io.IOException;
import java.util.Map;

/** One container's cgroup, on v1 (a dir per controller) or v2 (one dir). */
public interface Cgroup {
    String name();

    /** Writes the limits. */
    void apply(CgroupLimits limits) throws IOException;

    /** Restricts the cgroup to these cores (kernel list syntax, "0-1,3"). */
    void setCpus(String cpus) throws IOException;

    /**
     * Moves one thread into the cgroup, so that the processes it spawns start inside. Possible on v1
     * only (v2 moves whole processes); returns false where the caller must {@link #attachProcess} instead.
     */
    boolean attachThread(int tid) throws IOException;

    void attachProcess(long pid) throws IOException;

    /** True when the kernel OOM-killed a process of this cgroup. */
    boolean oomKilled() throws IOException;

    /** Cpu time used, in nanoseconds, from the cgroup's own accounting. */
    long cpuUsageNanos() throws IOException;

    /** What it has used so far; missing controllers count zero. */
    CgroupUsage usage() throws IOException;

    /** Pids of the processes in it. */
    java.util.List<Long> processes() throws IOException;

    /** Removes the cgroup's dirs; retries while the kernel still counts exiting tasks (EBUSY). */
    void remove() throws IOException;

    /** Files and values as written, for the record and for tests. */
    Map<String, String> written();
}
