package dev.berth.executor.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The default seccomp filter: a deny list in the manner of Docker's profile. Everything is allowed
 * except the calls that reach past the container (mounts, namespaces, modules, keys, bpf, kexec),
 * which fail with EPERM; clone with namespace flags fails too, and clone3 answers ENOSYS so that
 * libc falls back to clone, whose flags a filter can see. Other architectures' calls are killed.
 */
public final class Seccomp {
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    private static final int RET_ALLOW = 0x7fff0000, RET_ERRNO = 0x00050000, RET_KILL_PROCESS = 0x80000000;
    private static final short LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, JSET_K = 0x45, RET_K = 0x06;
    private static final int CLONE_NS_FLAGS = Sys.CLONE_NEWNS | Sys.CLONE_NEWCGROUP | Sys.CLONE_NEWUTS | Sys.CLONE_NEWIPC
            | Sys.CLONE_NEWUSER | Sys.CLONE_NEWPID | Sys.CLONE_NEWNET;
    private static final int NR_CLONE = 56;

    /** Denied calls by x86_64 number, with their names for the record. */
    public static final Map<Integer, String> DENIED = new TreeMap<>(Map.ofEntries(
            Map.entry(155, "pivot_root"), Map.entry(165, "mount"), Map.entry(166, "umount2"), Map.entry(167, "swapon"),
            Map.entry(168, "swapoff"), Map.entry(169, "reboot"), Map.entry(175, "init_module"), Map.entry(176, "delete_module"),
            Map.entry(246, "kexec_load"), Map.entry(248, "add_key"), Map.entry(249, "request_key"), Map.entry(250, "keyctl"),
            Map.entry(272, "unshare"), Map.entry(298, "perf_event_open"), Map.entry(304, "open_by_handle_at"),
            Map.entry(308, "setns"), Map.entry(313, "finit_module"), Map.entry(320, "kexec_file_load"), Map.entry(321, "bpf"),
            Map.entry(323, "userfaultfd"), Map.entry(428, "open_tree"), Map.entry(429, "move_mount"), Map.entry(430, "fsopen"),
            Map.entry(431, "fsconfig"), Map.entry(432, "fsmount"), Map.entry(433, "fspick"), Map.entry(442, "mount_setattr")));

    private Seccomp() {
    }

    /** The filter as classic BPF instructions (8 bytes each, native order). */
    public static byte[] program() {
        var b = ByteBuffer.allocate(8 * (16 + 2 * DENIED.size())).order(ByteOrder.nativeOrder());
        ins(b, LD_W_ABS, 0, 0, 4);                                     // arch
        ins(b, JEQ_K, 1, 0, AUDIT_ARCH_X86_64);
        ins(b, RET_K, 0, 0, RET_KILL_PROCESS);
        ins(b, LD_W_ABS, 0, 0, 0);                                     // syscall number
        ins(b, JGE_K, 0, 1, 0x40000000);                               // x32 ABI
        ins(b, RET_K, 0, 0, RET_ERRNO | Errno.EPERM);
        for (int nr : DENIED.keySet()) {
            ins(b, JEQ_K, 0, 1, nr);
            ins(b, RET_K, 0, 0, RET_ERRNO | Errno.EPERM);
        }
        ins(b, JEQ_K, 0, 1, Sys.NR_CLONE3);
        ins(b, RET_K, 0, 0, RET_ERRNO | Errno.ENOSYS);
        ins(b, JEQ_K, 0, 3, NR_CLONE);
        ins(b, LD_W_ABS, 0, 0, 16);                                    // clone's flags: args[0], low word
        ins(b, JSET_K, 0, 1, CLONE_NS_FLAGS);
        ins(b, RET_K, 0, 0, RET_ERRNO | Errno.EPERM);
        ins(b, RET_K, 0, 0, RET_ALLOW);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static void ins(ByteBuffer b, short code, int jt, int jf, int k) {
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }

    /** Installs the filter on the calling thread; no_new_privs must be set first. */
    public static void install(Arena arena, byte[] program) {
        Sys.seccompFilter(prog(arena, program));
    }

    /** The filter as the kernel takes it (a sock_fprog and its instructions), in {@code arena}. */
    public static MemorySegment prog(Arena arena, byte[] program) {
        MemorySegment filter = arena.allocate(program.length, 8);
        filter.copyFrom(MemorySegment.ofArray(program));
        MemorySegment prog = arena.allocate(16, 8);
        prog.set(ValueLayout.JAVA_SHORT, 0, (short) (program.length / 8));
        prog.set(ValueLayout.ADDRESS, 8, filter);
        return prog;
    }
}
