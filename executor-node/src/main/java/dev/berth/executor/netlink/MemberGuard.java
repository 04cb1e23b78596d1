package dev.berth.executor.netlink;

import static dev.berth.executor.netlink.NlMessage.NLM_F_ACK;
import static dev.berth.executor.netlink.NlMessage.NLM_F_CREATE;
import static dev.berth.executor.netlink.NlMessage.NLM_F_REQUEST;
import static dev.berth.executor.netlink.Nftables.*;

import java.net.Inet4Address;
import java.util.List;

/**
 * Lets only the scheduler members reach a member's Hazelcast and event-bus ports, as nf_tables
 * messages in a table of its own (open-source Hazelcast has no TLS or member authentication, so
 * the network must say who may join):
 * <pre>
 * table inet TABLE {
 *   set members { type ipv4_addr; }
 *   chain input { type filter hook input priority -10; policy accept;
 *     meta nfproto ipv4 tcp dport PORT ip saddr @members accept     # for each port
 *     tcp dport PORT reject with icmpx admin-prohibited
 *   }
 * }
 * </pre>
 * Every other port and all traffic of others is untouched. The members are set again whenever
 * the list changes, in one transaction with the table.
 */
public final class MemberGuard implements AutoCloseable {
    private static final int NFPROTO_IPV4 = 2, NFT_META_NFPROTO = 15, NFT_PAYLOAD_NETWORK_HEADER = 1;
    private static final int TYPE_IPV4_ADDR = 7, SET_ID = 1;
    static final String SET = "members";

    private final NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_NETFILTER);
    private final String table;

    /** @param table the table's name; it must contain "berth" (Berth touches only what it made) */
    public MemberGuard(String table) {
        if (!table.contains("berth")) throw new IllegalArgumentException("the member guard's table must be named berth…, not " + table);
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** Replaces the table with one that lets only {@code members} reach {@code ports}, in one transaction. */
    public void install(List<Integer> ports, List<Inet4Address> members) {
        NlMessage m = batchBegin();
        freshTable(m, table);
        m.begin(type(NFT_MSG_NEWSET), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, SET).attrBe32(3, 0).attrBe32(4, TYPE_IPV4_ADDR).attrBe32(5, 4).attrBe32(10, SET_ID);
        if (!members.isEmpty()) {
            m.begin(type(NFT_MSG_NEWSETELEM), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
            nfgen(m).attrString(1, table).attrString(2, SET).nest(3, true);
            for (Inet4Address a : members) m.nest(1, true).nest(1, true).attr(1, a.getAddress()).end().end();
            m.end();
        }
        m.begin(type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(3, "input")
                .nest(4, true).attrBe32(1, NF_INET_LOCAL_IN).attrBe32(2, -10).end()
                .attrBe32(5, NF_ACCEPT).attrString(7, "filter");
        for (int port : ports) {
            rule(m, () -> { nfproto(m, NFPROTO_IPV4); l4proto(m, IPPROTO_TCP); dport(m, port); saddrInMembers(m); accept(m); });
            rule(m, () -> { l4proto(m, IPPROTO_TCP); dport(m, port); reject(m); });
        }
        batchEnd(m);
        socket.request("install the member guard (nf_tables table inet " + table + ")", m);
    }

    /** Removes the table; fine if it is not there. */
    public void remove() {
        removeTable(socket, table);
    }

    private void rule(NlMessage m, Runnable expressions) {
        m.begin(type(NFT_MSG_NEWRULE), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK);
        nfgen(m).attrString(1, table).attrString(2, "input").nest(4, true);
        expressions.run();
        m.end();
    }

    private static void nfproto(NlMessage m, int proto) {
        expr(m, "meta").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_META_NFPROTO);
        endExpr(m);
        cmp(m, NFT_CMP_EQ, new byte[] {(byte) proto});
    }

    private static void dport(NlMessage m, int port) {
        expr(m, "payload").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_TRANSPORT_HEADER).attrBe32(3, 2).attrBe32(4, 2);
        endExpr(m);
        cmp(m, NFT_CMP_EQ, be16(port));
    }

    private static void saddrInMembers(NlMessage m) {
        expr(m, "payload").attrBe32(1, NFT_REG_1).attrBe32(2, NFT_PAYLOAD_NETWORK_HEADER).attrBe32(3, 12).attrBe32(4, 4);
        endExpr(m);
        expr(m, "lookup").attrString(1, SET).attrBe32(2, NFT_REG_1).attrBe32(4, SET_ID);
        endExpr(m);
    }

    @Override
    public void close() {
        socket.close();
    }
}
