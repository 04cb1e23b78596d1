package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What a launch thread does to itself before posix_spawn — no_new_privs, the bounding set,
 * credentials, capabilities, seccomp — as calls made in the spawned child instead (see
 * {@link Ptrace}), for a container with a user namespace: the child first joins the namespace
 * (fd {@link Spawn#PASSED_FD}), which resets its capabilities to the full set there, then takes
 * the task's ids inside it and the rest as a launch thread would. Its arguments live in
 * {@code arena}, native memory the child shares with the JVM until it execs.
 */
public final class Hardening {
    static final int PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    private Hardening() {
    }

    public static List<Ptrace.Call> joinAndHarden(Arena arena, int uid, int gid, int[] groups, long capabilities, int lastCap, byte[] seccomp) {
        var calls = new ArrayList<Ptrace.Call>();
        calls.add(new Ptrace.Call("setns(user namespace)", Sys.NR_SETNS, Spawn.PASSED_FD, Sys.CLONE_NEWUSER));
        calls.add(new Ptrace.Call("close(the namespace's fd)", Sys.NR_CLOSE, Spawn.PASSED_FD));
        calls.add(new Ptrace.Call("prctl(PR_SET_NO_NEW_PRIVS)", Sys.NR_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((capabilities & (1L << cap)) == 0) calls.add(new Ptrace.Call("prctl(PR_CAPBSET_DROP " + cap + ")", Sys.NR_PRCTL, PR_CAPBSET_DROP, cap, 0, 0, 0));
        }
        calls.add(new Ptrace.Call("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", Sys.NR_PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
        MemorySegment g = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.length));
        for (int i = 0; i < groups.length; i++) g.setAtIndex(ValueLayout.JAVA_INT, i, groups[i]);
        calls.add(new Ptrace.Call("setgroups", Sys.NR_SETGROUPS, groups.length, g.address()));
        calls.add(new Ptrace.Call("setresgid " + gid, Sys.NR_SETRESGID, gid, gid, gid));
        calls.add(new Ptrace.Call("setresuid " + uid, Sys.NR_SETRESUID, uid, uid, uid));
        if (uid == 0) {
            MemorySegment header = arena.allocate(8, 4);
            header.set(ValueLayout.JAVA_INT, 0, 0x20080522);
            header.set(ValueLayout.JAVA_INT, 4, 0);
            MemorySegment data = arena.allocate(24, 4);
            for (int i = 0; i < 2; i++) {
                data.set(ValueLayout.JAVA_INT, i * 12L, (int) (capabilities >>> (32 * i)));
                data.set(ValueLayout.JAVA_INT, i * 12L + 4, (int) (capabilities >>> (32 * i)));
            }
            calls.add(new Ptrace.Call("capset", Sys.NR_CAPSET, header.address(), data.address()));
        }
        if (seccomp != null) calls.add(new Ptrace.Call("seccomp(SET_MODE_FILTER)", Sys.NR_SECCOMP, 1, 0, Seccomp.prog(arena, seccomp).address()));
        return calls;
    }
}
