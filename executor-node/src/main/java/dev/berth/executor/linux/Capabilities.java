package dev.berth.executor.linux;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Capability names and numbers, Docker's default set, and setting a thread's sets from a mask. */
public final class Capabilities {
    public static final Map<String, Integer> NUMBERS = new LinkedHashMap<>();

    static {
        String[] names = {"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
                "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
                "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
                "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
                "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
                "CHECKPOINT_RESTORE"};
        for (int i = 0; i < names.length; i++) NUMBERS.put(names[i], i);
    }

    /**
     * Docker's and runc's default of 14 capabilities less NET_RAW (as Podman): 13, mask 0xa80405fb.
     * With NET_RAW a container on the bridge could forge ARP replies and read its neighbours'
     * traffic; ping works without it through ICMP sockets (the runtime opens ping_group_range).
     */
    public static final Set<String> DEFAULT = Set.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "SETGID",
            "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");

    private Capabilities() {
    }

    /** Accepts {@code NET_ADMIN} and {@code CAP_NET_ADMIN}, any case; throws for an unknown name. */
    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) n = n.substring(4);
        Integer v = NUMBERS.get(n);
        if (v == null) throw new IllegalArgumentException("\"" + name + "\" is not a capability");
        return v;
    }

    public static long mask(Iterable<String> names) {
        long m = 0;
        for (String n : names) m |= 1L << number(n);
        return m;
    }

    /**
     * Limits the calling thread to {@code keep}: drops the rest from the bounding set (which bounds
     * what an exec'd root process gets), clears ambient and inheritable, and sets permitted and
     * effective. Needs CAP_SETPCAP, so it runs before any credential change.
     */
    public static void limitThread(long keep, int lastCap) {
        for (int cap = 0; cap <= lastCap; cap++) {
            if ((keep & (1L << cap)) == 0) Sys.prctl("PR_CAPBSET_DROP " + cap, 24, cap, 0);
        }
        Sys.prctl("PR_CAP_AMBIENT_CLEAR_ALL", 47, 4, 0);
    }

    /** Sets effective and permitted to {@code keep}, inheritable to none; the last step before exec for root. */
    public static void setThread(long keep) {
        Sys.capset(keep, keep, 0);
    }
}
