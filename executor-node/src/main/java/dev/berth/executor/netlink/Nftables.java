package dev.berth.executor.netlink;

import static dev.berth.executor.netlink.NlMessage.NLM_F_ACK;
import static dev.berth.executor.netlink.NlMessage.NLM_F_CREATE;
import static dev.berth.executor.netlink.NlMessage.NLM_F_REQUEST;

import dev.berth.executor.linux.Errno;
import dev.berth.executor.linux.LinuxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The node's packet filter, as nf_tables messages (what {@code nft} sends), in one table of its
 * own that Berth alone writes:
 * <pre>
 * table inet TABLE {
 *   set published { type inet_service; }        (TCP)
 *   set published_udp { type inet_service; }
 *   chain input { type filter hook input priority -10; policy accept;
 *     iifname BRIDGE ct state established,related accept
 *     iifname BRIDGE meta l4proto icmp accept
 *     iifname BRIDGE meta l4proto tcp tcp dport @published accept
 *     iifname BRIDGE meta l4proto udp udp dport @published_udp accept
 *     iifname BRIDGE reject with icmpx admin-prohibited
 *   }
 *   chain forward { … see {@link #forwardOnlyTo} }
 * }
 * </pre>
 * So a container reaches the node itself only for answers to the node's own connections, ping of
 * its gateway, and published ports: the scheduler API, Hazelcast, Kafka and whatever else listens
 * on the node stay out of its reach. Traffic between containers is bridged and not affected.
 * Published ports may also be forwarded in the kernel ({@link #dnat}), and egress masqueraded.
 */
public final class Nftables implements AutoCloseable {
    private static final int NFNL_SUBSYS_NFTABLES = 10, NFNL_MSG_BATCH_BEGIN = 16, NFNL_MSG_BATCH_END = 17;
    static final int NFT_MSG_NEWTABLE = 0, NFT_MSG_DELTABLE = 2, NFT_MSG_NEWCHAIN = 3, NFT_MSG_NEWRULE = 6, NFT_MSG_DELRULE = 8,
            NFT_MSG_NEWSET = 9, NFT_MSG_NEWSETELEM = 12, NFT_MSG_DELSETELEM = 14;
    static final int NFPROTO_INET = 1, NLM_F_APPEND = 0x800;
    static final int NF_INET_LOCAL_IN = 1, NF_INET_FORWARD = 2, NF_INET_POST_ROUTING = 4, NF_ACCEPT = 1;
    static final int NFT_REG_VERDICT = 0, NFT_REG_1 = 1;
    private static final int NFT_META_IIFNAME = 6, NFT_META_OIFNAME = 7, NFT_META_NFPROTO = 15, NFT_META_L4PROTO = 16, NFT_CT_STATE = 0;
    private static final int NFT_PAYLOAD_NETWORK_HEADER = 1, NFPROTO_IPV4 = 2;
    static final int NFT_CMP_EQ = 0, NFT_CMP_NEQ = 1, NFT_PAYLOAD_TRANSPORT_HEADER = 2;
    private static final int CT_ESTABLISHED_RELATED = 2 | 4;
    private static final int TYPE_INET_SERVICE = 13, SET_ID = 1, UDP_SET_ID = 2;
    public static final int IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17;
    static final int NF_INET_PRE_ROUTING = 0, NF_INET_LOCAL_OUT = 3, NFT_REG_2 = 2;
    private static final int NFT_NAT_DNAT = 1, NFT_FIB_RESULT_ADDRTYPE = 3, NFTA_FIB_F_DADDR = 2, RTN_LOCAL = 2;
    static final String SET = "published", UDP_SET = "published_udp", CHAIN = "input", FORWARD = "forward", POSTROUTING = "postrouting",
            PREROUTING = "prerouting", OUTPUT = "output";

    private final NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_NETFILTER);
    private final String table;

    public Nftables(String table) {
        this.table = table;
    }

    /** Replaces the table with a fresh one guarding {@code bridge}, in one transaction. */
    public void install(String bridge) {
        NlMessage m = batchBegin();
        freshTable(m, table);
        m.begin(type(NFT_MSG_NEWSET), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, SET).attrBe32(3, 0).attrBe32(4, TYPE_INET_SERVICE).attrBe32(5, 2).attrBe32(10, SET_ID);
        m.begin(type(NFT_MSG_NEWSET), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, UDP_SET).attrBe32(3, 0).attrBe32(4, TYPE_INET_SERVICE).attrBe32(5, 2).attrBe32(10, UDP_SET_ID);
        m.begin(type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(3, CHAIN)
                .nest(4, true).attrBe32(1, NF_INET_LOCAL_IN).attrBe32(2, -10).end()
                .attrBe32(5, NF_ACCEPT).attrString(7, "filter");

        chainRule(m, CHAIN, () -> { iifname(m, bridge); ctStateIn(m, CT_ESTABLISHED_RELATED); accept(m); });
        chainRule(m, CHAIN, () -> { iifname(m, bridge); l4proto(m, IPPROTO_ICMP); accept(m); });
        chainRule(m, CHAIN, () -> { iifname(m, bridge); l4proto(m, IPPROTO_TCP); dportInSet(m, SET, SET_ID); accept(m); });
        chainRule(m, CHAIN, () -> { iifname(m, bridge); l4proto(m, IPPROTO_UDP); dportInSet(m, UDP_SET, UDP_SET_ID); accept(m); });
        chainRule(m, CHAIN, () -> { iifname(m, bridge); reject(m); });
        batchEnd(m);
        socket.request("install the packet filter (nf_tables table inet " + table + ")", m);
        forwardOnlyTo(bridge, java.util.List.of(), false);
    }

    /**
     * Once the node routes to other nodes' containers (and so forwards), what leaves the bridge
     * through this node goes only to those containers:
     * <pre>
     *   chain forward { type filter hook forward priority -10; policy accept;
     *     iifname BRIDGE ct state established,related accept   (answers, e.g. of a port forwarded in the kernel)
     *     iifname BRIDGE oifname BRIDGE accept
     *     iifname BRIDGE ip daddr PEER_SUBNET accept      (one rule per peer node)
     *     iifname BRIDGE reject with icmpx admin-prohibited
     *   }
     * </pre>
     * Made with the table, so that whatever turns forwarding on later finds containers held in;
     * replaced whole, in one transaction, whenever the peers change.
     */
    public void forwardOnlyTo(String bridge, java.util.List<int[]> peerSubnets, boolean egress) {
        NlMessage m = batchBegin();
        m.begin(type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(3, FORWARD)
                .nest(4, true).attrBe32(1, NF_INET_FORWARD).attrBe32(2, -10).end()
                .attrBe32(5, NF_ACCEPT).attrString(7, "filter");
        // no handle: every rule of the chain
        m.begin(type(NFT_MSG_DELRULE), NLM_F_REQUEST | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, FORWARD);
        chainRule(m, FORWARD, () -> { iifname(m, bridge); ctStateIn(m, CT_ESTABLISHED_RELATED); accept(m); });
        chainRule(m, FORWARD, () -> { iifname(m, bridge); oifname(m, bridge); accept(m); });
        for (int[] peer : peerSubnets) chainRule(m, FORWARD, () -> { iifname(m, bridge); ipDaddrIn(m, peer[0], peer[1]); accept(m); });
        if (!egress) chainRule(m, FORWARD, () -> { iifname(m, bridge); reject(m); });
        batchEnd(m);
        socket.request("let containers on " + bridge + " reach " + peerSubnets.size() + " other node(s)' containers" + (egress ? " and beyond" : " only")
                + " (nf_tables chain " + FORWARD + ")", m);
    }

    /**
     * Egress: what containers send beyond the bridge leaves with the node's address —
     * {@code chain postrouting { type nat hook postrouting priority 100; ip saddr SUBNET oifname != BRIDGE masquerade }}.
     * Traffic to other nodes' containers keeps its container address (their routes bring the answers back).
     */
    public void masquerade(String bridge, int network, int prefix, java.util.List<int[]> keep) {
        NlMessage m = batchBegin();
        m.begin(type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(3, POSTROUTING)
                .nest(4, true).attrBe32(1, NF_INET_POST_ROUTING).attrBe32(2, 100).end()
                .attrBe32(5, NF_ACCEPT).attrString(7, "nat");
        m.begin(type(NFT_MSG_DELRULE), NLM_F_REQUEST | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, POSTROUTING);
        for (int[] peer : keep) chainRule(m, POSTROUTING, () -> { ipDaddrIn(m, peer[0], peer[1]); accept(m); });
        chainRule(m, POSTROUTING, () -> {
            ipAddrIn(m, 12, network, prefix);
            ifname(m, NFT_META_OIFNAME, NFT_CMP_NEQ, bridge);
            expr(m, "masq");
            endExpr(m);
        });
        batchEnd(m);
        socket.request("masquerade what containers on " + bridge + " send beyond it (nf_tables chain " + POSTROUTING + ")", m);
    }

    /** A published port forwarded in the kernel: {@code protocol} ({@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}) {@code port} to {@code address:to}. */
    public record Dnat(int protocol, int port, java.net.Inet4Address address, int to) {
    }

    /**
     * Published ports forwarded in the kernel, replacing what the chains held, in one transaction:
     * <pre>
     *   chain prerouting { type nat hook prerouting priority -100;
     *     iifname != BRIDGE fib daddr type local meta l4proto tcp th dport PORT dnat ip to ADDRESS:TO   (one per port)
     *   }
     *   chain output { type nat hook output priority -100;
     *     ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto tcp th dport PORT dnat ip to ADDRESS:TO
     *   }
     * </pre>
     * Traffic from other hosts and from the node's own processes to a node address goes straight to
     * the container. Containers themselves (they come from the bridge) and loopback (DNAT to another
     * host's address from 127.0.0.1 would need route_localnet) are left to the port's relay.
     * {@code onlyTo} non-null: only traffic to that node address, not every local one.
     */
    public void dnat(String bridge, java.util.List<Dnat> ports, java.net.Inet4Address onlyTo) {
        NlMessage m = batchBegin();
        for (String chain : java.util.List.of(PREROUTING, OUTPUT)) {
            m.begin(type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
            nfgen(m).attrString(1, table).attrString(3, chain)
                    .nest(4, true).attrBe32(1, chain.equals(PREROUTING) ? NF_INET_PRE_ROUTING : NF_INET_LOCAL_OUT).attrBe32(2, -100).end()
                    .attrBe32(5, NF_ACCEPT).attrString(7, "nat");
            m.begin(type(NFT_MSG_DELRULE), NLM_F_REQUEST | NLM_F_ACK);
            nfgen(m).attrString(1, table).attrString(2, chain);
            for (Dnat d : ports) {
                chainRule(m, chain, () -> {
                    if (chain.equals(PREROUTING)) {
                        ifname(m, NFT_META_IIFNAME, NFT_CMP_NEQ, bridge);
                    } else {
                        ipAddrIn(m, 16, 0x7f000000, 8, NFT_CMP_NEQ);
                    }
                    if (onlyTo != null) ipDaddrIn(m, toInt(onlyTo), 32);
                    else localDaddr(m);
                    l4proto(m, d.protocol());
                    expr(m, "payload").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_TRANSPORT_HEADER).attrBe32(3, 2).attrBe32(4, 2);
                    endExpr(m);
                    cmp(m, NFT_CMP_EQ, be16(d.port()));
                    expr(m, "immediate").attrBe32(1, NFT_REG_1).nest(2, true).attr(1, d.address().getAddress()).end();
                    endExpr(m);
                    expr(m, "immediate").attrBe32(1, NFT_REG_2).nest(2, true).attr(1, be16(d.to())).end();
                    endExpr(m);
                    expr(m, "nat").attrBe32(1, NFT_NAT_DNAT).attrBe32(2, NFPROTO_IPV4).attrBe32(3, NFT_REG_1).attrBe32(5, NFT_REG_2);
                    endExpr(m);
                });
            }
        }
        batchEnd(m);
        socket.request("forward " + ports.size() + " published port(s) in the kernel (nf_tables chains " + PREROUTING + " and " + OUTPUT + ")", m);
    }

    /** {@code fib daddr type local}: addressed to this host. */
    private static void localDaddr(NlMessage m) {
        expr(m, "fib").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_FIB_RESULT_ADDRTYPE).attrBe32(3, NFTA_FIB_F_DADDR);
        endExpr(m);
        cmp(m, NFT_CMP_EQ, hostU32(RTN_LOCAL));
    }

    private static int toInt(java.net.Inet4Address a) {
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }

    private void chainRule(NlMessage m, String chain, Runnable expressions) {
        m.begin(type(NFT_MSG_NEWRULE), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, chain).nest(4, true);
        expressions.run();
        m.end();
    }

    private static void oifname(NlMessage m, String name) {
        ifname(m, NFT_META_OIFNAME, NFT_CMP_EQ, name);
    }

    /** {@code meta iifname|oifname (==|!=) NAME}. */
    private static void ifname(NlMessage m, int key, int op, String name) {
        expr(m, "meta").attrBe32(1, NFT_REG_1).attrBe32(2, key);
        endExpr(m);
        cmp(m, op, Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), 16));
    }

    /** {@code meta nfproto ipv4 ip daddr & mask == network}. */
    private static void ipDaddrIn(NlMessage m, int network, int prefix) {
        ipAddrIn(m, 16, network, prefix);
    }

    private static void ipAddrIn(NlMessage m, int offset, int network, int prefix) {
        ipAddrIn(m, offset, network, prefix, NFT_CMP_EQ);
    }

    /** {@code meta nfproto ipv4}, then the address at {@code offset} of the IPv4 header (12 source, 16 destination) masked to {@code prefix}, compared with {@code op}. */
    private static void ipAddrIn(NlMessage m, int offset, int network, int prefix, int op) {
        expr(m, "meta").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_META_NFPROTO);
        endExpr(m);
        cmp(m, NFT_CMP_EQ, new byte[] {(byte) NFPROTO_IPV4});
        expr(m, "payload").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_NETWORK_HEADER).attrBe32(3, offset).attrBe32(4, 4);
        endExpr(m);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        expr(m, "bitwise").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_REG_1).attrBe32(3, 4)
                .nest(4, true).attr(1, be32(mask)).end()
                .nest(5, true).attr(1, new byte[4]).end();
        endExpr(m);
        cmp(m, op, be32(network & mask));
    }

    static byte[] be32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    /** Lets containers reach this node's TCP or UDP port (a published port's relay). */
    public void publish(int port, boolean udp) {
        element(NFT_MSG_NEWSETELEM, port, NLM_F_CREATE, udp);
    }

    public void unpublish(int port, boolean udp) {
        try {
            element(NFT_MSG_DELSETELEM, port, 0, udp);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) throw e;
        }
    }

    /** Removes the table (and with it every rule and set element); fine if it is not there. */
    public void remove() {
        removeTable(socket, table);
    }

    /** Starts a batch with an empty {@code table}: whatever an earlier run left under that name goes in the same transaction. */
    static void freshTable(NlMessage m, String table) {
        // create-then-delete makes the delete succeed whether or not the table was there
        m.begin(type(NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table);
        m.begin(type(NFT_MSG_DELTABLE), NLM_F_REQUEST | NLM_F_ACK);
        nfgen(m).attrString(1, table);
        m.begin(type(NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table);
    }

    static void removeTable(NetlinkSocket socket, String table) {
        NlMessage m = batchBegin();
        m.begin(type(NFT_MSG_DELTABLE), NLM_F_REQUEST | NLM_F_ACK);
        nfgen(m).attrString(1, table);
        batchEnd(m);
        try {
            socket.request("remove nf_tables table " + table, m);
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT) throw e;
        }
    }

    private void element(int msg, int port, int flags, boolean udp) {
        NlMessage m = batchBegin();
        m.begin(type(msg), NLM_F_REQUEST | NLM_F_ACK | flags);
        nfgen(m).attrString(1, table).attrString(2, udp ? UDP_SET : SET)
                .nest(3, true).nest(1, true).nest(1, true).attr(1, be16(port)).end().end().end();
        batchEnd(m);
        socket.request((msg == NFT_MSG_NEWSETELEM ? "open" : "close") + (udp ? " UDP" : "") + " port " + port + " to containers", m);
    }

    static int type(int msg) {
        return NFNL_SUBSYS_NFTABLES << 8 | msg;
    }

    static NlMessage nfgen(NlMessage m) {
        return m.u8(NFPROTO_INET).u8(0).u16be(0);
    }

    static NlMessage batchBegin() {
        return new NlMessage().begin(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST).u8(0).u8(0).u16be(NFNL_SUBSYS_NFTABLES);
    }

    static void batchEnd(NlMessage m) {
        m.begin(NFNL_MSG_BATCH_END, NLM_F_REQUEST).u8(0).u8(0).u16be(NFNL_SUBSYS_NFTABLES);
    }

    /** One expression: {@code NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { … } }}; close with {@link #endExpr}. */
    static NlMessage expr(NlMessage m, String name) {
        return m.nest(1, true).attrString(1, name).nest(2, true);
    }

    static void endExpr(NlMessage m) {
        m.end().end();
    }

    private static void iifname(NlMessage m, String name) {
        ifname(m, NFT_META_IIFNAME, NFT_CMP_EQ, name);
    }

    static void l4proto(NlMessage m, int proto) {
        expr(m, "meta").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_META_L4PROTO);
        endExpr(m);
        cmp(m, NFT_CMP_EQ, new byte[] {(byte) proto});
    }

    private static void ctStateIn(NlMessage m, int states) {
        expr(m, "ct").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_CT_STATE);
        endExpr(m);
        expr(m, "bitwise").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_REG_1).attrBe32(3, 4)
                .nest(4, true).attr(1, hostU32(states)).end()
                .nest(5, true).attr(1, new byte[4]).end();
        endExpr(m);
        cmp(m, NFT_CMP_NEQ, new byte[4]);
    }

    private static void dportInSet(NlMessage m, String set, int setId) {
        expr(m, "payload").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_TRANSPORT_HEADER).attrBe32(3, 2).attrBe32(4, 2);
        endExpr(m);
        expr(m, "lookup").attrString(1, set).attrBe32(2, NFT_REG_1).attrBe32(4, setId);
        endExpr(m);
    }

    static void accept(NlMessage m) {
        expr(m, "immediate").attrBe32(1, NFT_REG_VERDICT).nest(2, true).nest(2, true).attrBe32(1, NF_ACCEPT).end().end();
        endExpr(m);
    }

    /** reject with icmpx admin-prohibited: a connect fails at once instead of hanging. */
    static void reject(NlMessage m) {
        expr(m, "reject").attrBe32(1, 2).attrU8(2, 3);
        endExpr(m);
    }

    static void cmp(NlMessage m, int op, byte[] data) {
        expr(m, "cmp").attrBe32(1, NFT_REG_1).attrBe32(2, op).nest(3, true).attr(1, data).end();
        endExpr(m);
    }

    static byte[] be16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] hostU32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    @Override
    public void close() {
        socket.close();
    }
}
