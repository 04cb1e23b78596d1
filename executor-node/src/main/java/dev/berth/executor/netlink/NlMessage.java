package dev.berth.executor.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds netlink messages: a 16-byte header, a family struct, then attributes (TLVs aligned to 4
 * bytes), nested ones closed with {@link #end()}. Several messages can follow one another in one
 * buffer (a netfilter batch). Host byte order unless a method says big-endian.
 */
public final class NlMessage {
    public static final int NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200,
            NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH, NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    public static final int NLA_F_NESTED = 0x8000;

    private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();
    private int messageStart = -1;
    private int messages;

    /** Starts a message; the sequence number is set when it is sent. */
    public NlMessage begin(int type, int flags) {
        closeMessage();
        align();
        messageStart = buf.position();
        room(16);
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
        messages++;
        return this;
    }

    public NlMessage u8(int v) {
        room(1);
        buf.put((byte) v);
        return this;
    }

    public NlMessage u16(int v) {
        room(2);
        buf.putShort((short) v);
        return this;
    }

    public NlMessage u16be(int v) {
        room(2);
        short s = (short) v;
        buf.putShort(buf.order() == ByteOrder.BIG_ENDIAN ? s : Short.reverseBytes(s));
        return this;
    }

    public NlMessage u32(int v) {
        room(4);
        buf.putInt(v);
        return this;
    }

    public NlMessage bytes(byte[] b) {
        room(b.length);
        buf.put(b);
        return this;
    }

    public NlMessage attr(int type, byte[] value) {
        align();
        room(4 + value.length);
        buf.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        return this;
    }

    public NlMessage attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public NlMessage attrU32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    public NlMessage attrBe32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array());
    }

    /** A NUL-terminated string attribute. */
    public NlMessage attrString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(b, b.length + 1));
    }

    /** Opens a nested attribute; {@code nestedFlag} adds NLA_F_NESTED (netfilter wants it, rtnetlink tolerates it). */
    public NlMessage nest(int type, boolean nestedFlag) {
        align();
        open.push(buf.position());
        room(4);
        buf.putShort((short) 0).putShort((short) (type | (nestedFlag ? NLA_F_NESTED : 0)));
        return this;
    }

    public NlMessage end() {
        int start = open.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** The whole buffer; each message's length filled in and its sequence numbered from {@code firstSeq}. */
    public byte[] finish(int firstSeq) {
        closeMessage();
        if (!open.isEmpty()) throw new IllegalStateException("unclosed nested attribute");
        byte[] out = Arrays.copyOf(buf.array(), buf.position());
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        int at = 0, seq = firstSeq;
        while (at < out.length) {
            int len = b.getInt(at);
            b.putInt(at + 8, seq++);
            at += (len + 3) & ~3;
        }
        return out;
    }

    public int messages() {
        return messages;
    }

    private void closeMessage() {
        if (messageStart < 0) return;
        buf.putInt(messageStart, buf.position() - messageStart);
        messageStart = -1;
    }

    private void align() {
        int pad = (4 - (buf.position() & 3)) & 3;
        room(pad);
        for (int i = 0; i < pad; i++) buf.put((byte) 0);
    }

    private void room(int n) {
        if (buf.remaining() >= n) return;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.nativeOrder());
        bigger.put(buf.array(), 0, buf.position());
        buf = bigger;
    }
}
