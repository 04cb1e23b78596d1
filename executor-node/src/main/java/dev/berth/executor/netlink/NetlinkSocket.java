package dev.berth.executor.netlink;

import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.linux.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An AF_NETLINK socket opened with raw system calls. A socket belongs to the network namespace of
 * the thread that opened it, for its whole life: that is how the runtime speaks to a container's
 * namespace without entering it. Not thread-safe; one owner at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0, NETLINK_NETFILTER = 12;
    static final int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 02000000;
    private static final int NR_SOCKET = 41, NR_SENDTO = 44, NR_RECVFROM = 45, NR_BIND = 49, NR_SETSOCKOPT = 54;
    private static final int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;
    private static final int RECV_SIZE = 64 * 1024;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment recvBuf = arena.allocate(RECV_SIZE, 8);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    public NetlinkSocket(int protocol) {
        fd = (int) Native.syscall("socket(AF_NETLINK, " + protocol + ")", NR_SOCKET, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol, 0, 0);
        try {
            MemorySegment addr = arena.allocate(12, 4);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            Native.syscall("bind netlink socket", NR_BIND, fd, addr.address(), 12, 0, 0);
            MemorySegment one = arena.allocate(4, 4);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            Native.trySyscall(NR_SETSOCKOPT, fd, SOL_NETLINK, NETLINK_EXT_ACK, one.address(), 4);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Sends the message(s), each asking for an ack, and waits for all acks. The first error is
     * thrown as a {@link LinuxException} naming {@code operation}.
     */
    public void request(String operation, NlMessage message) {
        int first = seq;
        byte[] bytes = message.finish(first);
        seq += message.messages();
        send(operation, bytes);
        Set<Integer> waiting = new HashSet<>();
        ByteBuffer sent = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        for (int at = 0; at < bytes.length; at += (sent.getInt(at) + 3) & ~3) {
            if ((sent.getShort(at + 6) & NlMessage.NLM_F_ACK) != 0) waiting.add(sent.getInt(at + 8));
        }
        int error = 0;
        while (!waiting.isEmpty()) {
            ByteBuffer b = receive(operation);
            for (int at = 0; at + 16 <= b.limit(); ) {
                int len = b.getInt(at);
                int type = b.getShort(at + 4) & 0xffff;
                int s = b.getInt(at + 8);
                if (type == NLMSG_ERROR) {
                    int err = -b.getInt(at + 16);
                    waiting.remove(s);
                    if (err != 0 && error == 0) error = err;
                    // a netfilter batch stops at its first error: the others will never be acked
                    if (err != 0) waiting.clear();
                } else if (type == NLMSG_DONE) {
                    waiting.remove(s);
                }
                if (len < 16) break;
                at += (len + 3) & ~3;
            }
        }
        if (error != 0) throw new LinuxException(operation, error);
    }

    /** A dump (or a get with NLM_F_ACK): every reply message (header included) until NLMSG_DONE or the ack. */
    public List<ByteBuffer> dump(String operation, NlMessage message) {
        int s = seq++;
        send(operation, message.finish(s));
        var out = new ArrayList<ByteBuffer>();
        while (true) {
            ByteBuffer b = receive(operation);
            for (int at = 0; at + 16 <= b.limit(); ) {
                int len = b.getInt(at);
                int type = b.getShort(at + 4) & 0xffff;
                if (b.getInt(at + 8) == s) {
                    if (type == NLMSG_DONE) return out;
                    if (type == NLMSG_ERROR) {
                        int err = -b.getInt(at + 16);
                        if (err != 0) throw new LinuxException(operation, err);
                        return out; // the ack that ends a single get asked with NLM_F_ACK
                    } else {
                        out.add(b.slice(at, len).order(ByteOrder.nativeOrder()));
                    }
                }
                if (len < 16) break;
                at += (len + 3) & ~3;
            }
        }
    }

    private void send(String operation, byte[] bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
            Native.syscall(operation + " (send)", NR_SENDTO, fd, m.address(), bytes.length, 0, 0);
        }
    }

    private ByteBuffer receive(String operation) {
        long n = Native.syscall(operation + " (receive)", NR_RECVFROM, fd, recvBuf.address(), RECV_SIZE, 0, 0);
        byte[] copy = recvBuf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        return ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
    }

    @Override
    public void close() {
        if (fd >= 0) dev.berth.executor.linux.Sys.close(fd);
        arena.close();
    }

    /** Attributes of one level: type (without flags) → value, from {@code start} for {@code length} bytes. */
    public static java.util.Map<Integer, ByteBuffer> attributes(ByteBuffer b, int start, int length) {
        var out = new java.util.HashMap<Integer, ByteBuffer>();
        int at = start, end = start + length;
        while (at + 4 <= end) {
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff;
            if (len < 4) break;
            out.putIfAbsent(type, b.slice(at + 4, len - 4).order(ByteOrder.nativeOrder()));
            at += (len + 3) & ~3;
        }
        return out;
    }

    public static String string(ByteBuffer value) {
        int n = 0;
        while (n < value.limit() && value.get(n) != 0) n++;
        byte[] b = new byte[n];
        value.get(0, b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
