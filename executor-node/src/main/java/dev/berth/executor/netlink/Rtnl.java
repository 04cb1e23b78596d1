package dev.berth.executor.netlink;

import static dev.berth.executor.netlink.NlMessage.NLM_F_ACK;
import static dev.berth.executor.netlink.NlMessage.NLM_F_CREATE;
import static dev.berth.executor.netlink.NlMessage.NLM_F_DUMP;
import static dev.berth.executor.netlink.NlMessage.NLM_F_EXCL;
import static dev.berth.executor.netlink.NlMessage.NLM_F_REQUEST;

import dev.berth.executor.linux.Errno;
import dev.berth.executor.linux.LinuxException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Links, addresses and routes through rtnetlink (what {@code ip link/addr/route} do), in the
 * network namespace of the socket: {@link #open()} on a thread of that namespace.
 */
public final class Rtnl implements AutoCloseable {
    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22,
            RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26, RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29;
    static final int NLM_F_REPLACE = 0x100;
    static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_LOCAL = 4, IFLA_VXLAN_LEARNING = 7, IFLA_VXLAN_PORT = 15;
    static final int NDA_DST = 1, NDA_LLADDR = 2, NUD_PERMANENT = 0x80, NTF_SELF = 0x02, AF_BRIDGE = 7, RTNH_F_ONLINK = 4;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
    static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2;
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
    static final int AF_UNSPEC = 0, AF_INET = 2, IFF_UP = 1;
    static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RTN_UNICAST = 1;
    /**
     * The routing protocol Berth marks its routes with (iproute2 calls unregistered numbers by their
     * value: {@code ip route} shows "proto 179"), so it finds and removes only its own.
     */
    public static final int RTPROT_BERTH = 179;

    private final NetlinkSocket socket;

    private Rtnl(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static Rtnl open() {
        return new Rtnl(new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE));
    }

    /** A link as the kernel lists it. */
    public record Link(int index, String name, int flags, int master, String kind) {
    }

    /** An IPv4 address on a link. */
    public record Address(int index, Inet4Address address, int prefix) {
    }

    /** An IPv4 route of the main table; {@code dst} null for the default route, {@code gateway} null for a direct one. */
    public record Route(Inet4Address dst, int prefix, int oif, Inet4Address gateway, int protocol) {
    }

    /** Adds {@code dst/prefix via gateway}, marked as Berth's. */
    public void addRoute(Inet4Address dst, int prefix, Inet4Address gateway) {
        var m = new NlMessage().begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                .u8(AF_INET).u8(prefix).u8(0).u8(0).u8(RT_TABLE_MAIN).u8(RTPROT_BERTH).u8(RT_SCOPE_UNIVERSE).u8(RTN_UNICAST).u32(0)
                .attr(RTA_DST, dst.getAddress()).attr(RTA_GATEWAY, gateway.getAddress());
        socket.request("add a route to " + dst.getHostAddress() + "/" + prefix + " via " + gateway.getHostAddress(), m);
    }

    /**
     * Adds {@code dst/prefix via gateway dev oif onlink}, marked as Berth's: the gateway need not be
     * in a subnet of the link (a VXLAN device's peer, as flannel routes).
     */
    public void addOnlinkRoute(Inet4Address dst, int prefix, Inet4Address gateway, int oif) {
        var m = new NlMessage().begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                .u8(AF_INET).u8(prefix).u8(0).u8(0).u8(RT_TABLE_MAIN).u8(RTPROT_BERTH).u8(RT_SCOPE_UNIVERSE).u8(RTN_UNICAST).u32(RTNH_F_ONLINK)
                .attr(RTA_DST, dst.getAddress()).attr(RTA_GATEWAY, gateway.getAddress()).attrU32(RTA_OIF, oif);
        socket.request("add a route to " + dst.getHostAddress() + "/" + prefix + " via " + gateway.getHostAddress() + " on link " + oif, m);
    }

    /**
     * A VXLAN device (no learning: Berth writes every peer's entry) with a fixed MAC, sending from
     * {@code local} to UDP {@code port} of its peers.
     */
    public void addVxlan(String name, int vni, Inet4Address local, int port, byte[] mac) {
        var m = ifinfo(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0, 0, 0)
                .attrString(IFLA_IFNAME, name).attr(IFLA_ADDRESS, mac)
                .nest(IFLA_LINKINFO, false).attrString(IFLA_INFO_KIND, "vxlan")
                .nest(IFLA_INFO_DATA, false).attrU32(IFLA_VXLAN_ID, vni).attr(IFLA_VXLAN_LOCAL, local.getAddress())
                .attrU8(IFLA_VXLAN_LEARNING, 0).attr(IFLA_VXLAN_PORT, new byte[] {(byte) (port >> 8), (byte) port})
                .end().end();
        socket.request("create VXLAN device " + name + " (VNI " + vni + ", from " + local.getHostAddress() + ", UDP port " + port + ")", m);
    }

    /** A permanent neighbour (ARP) entry: {@code address} is {@code mac} on link {@code index}. */
    public void setNeighbour(int index, Inet4Address address, byte[] mac) {
        var m = ndmsg(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, AF_INET, index, 0).attr(NDA_DST, address.getAddress()).attr(NDA_LLADDR, mac);
        socket.request("set neighbour " + address.getHostAddress() + " on link " + index, m);
    }

    public void deleteNeighbour(int index, Inet4Address address) {
        ignoreAbsent(() -> socket.request("delete neighbour " + address.getHostAddress(),
                ndmsg(RTM_DELNEIGH, 0, AF_INET, index, 0).attr(NDA_DST, address.getAddress())));
    }

    /** A VXLAN forwarding entry: frames for {@code mac} go to the peer at {@code remote}. */
    public void setForwarding(int index, byte[] mac, Inet4Address remote) {
        var m = ndmsg(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, AF_BRIDGE, index, NTF_SELF).attr(NDA_LLADDR, mac).attr(NDA_DST, remote.getAddress());
        socket.request("send " + java.util.HexFormat.ofDelimiter(":").formatHex(mac) + " on link " + index + " to " + remote.getHostAddress(), m);
    }

    public void deleteForwarding(int index, byte[] mac, Inet4Address remote) {
        ignoreAbsent(() -> socket.request("delete the forwarding entry of " + java.util.HexFormat.ofDelimiter(":").formatHex(mac),
                ndmsg(RTM_DELNEIGH, 0, AF_BRIDGE, index, NTF_SELF).attr(NDA_LLADDR, mac).attr(NDA_DST, remote.getAddress())));
    }

    private static NlMessage ndmsg(int type, int flags, int family, int index, int ntf) {
        return new NlMessage().begin(type, NLM_F_REQUEST | NLM_F_ACK | flags).u8(family).u8(0).u16(0).u32(index).u16(NUD_PERMANENT).u8(ntf).u8(0);
    }

    private static void ignoreAbsent(Runnable r) {
        try {
            r.run();
        } catch (LinuxException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) throw e;
        }
    }

    /** Removes Berth's route to {@code dst/prefix}. */
    public void deleteRoute(Inet4Address dst, int prefix) {
        var m = new NlMessage().begin(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK)
                .u8(AF_INET).u8(prefix).u8(0).u8(0).u8(RT_TABLE_MAIN).u8(RTPROT_BERTH).u8(RT_SCOPE_UNIVERSE).u8(RTN_UNICAST).u32(0)
                .attr(RTA_DST, dst.getAddress());
        socket.request("delete the route to " + dst.getHostAddress() + "/" + prefix, m);
    }

    private static NlMessage ifinfo(int type, int flags, int index, int ifFlags, int change) {
        return new NlMessage().begin(type, NLM_F_REQUEST | flags).u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
    }

    public List<Link> links() {
        var out = new ArrayList<Link>();
        for (ByteBuffer m : socket.dump("list links", ifinfo(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0))) {
            if ((m.getShort(4) & 0xffff) != RTM_NEWLINK) continue;
            int index = m.getInt(20);
            int flags = m.getInt(24);
            var attrs = NetlinkSocket.attributes(m, 32, m.limit() - 32);
            String name = attrs.containsKey(IFLA_IFNAME) ? NetlinkSocket.string(attrs.get(IFLA_IFNAME)) : "";
            int master = attrs.containsKey(IFLA_MASTER) ? attrs.get(IFLA_MASTER).getInt(0) : 0;
            String kind = null;
            if (attrs.containsKey(IFLA_LINKINFO)) {
                ByteBuffer info = attrs.get(IFLA_LINKINFO);
                var inner = NetlinkSocket.attributes(info, 0, info.limit());
                if (inner.containsKey(IFLA_INFO_KIND)) kind = NetlinkSocket.string(inner.get(IFLA_INFO_KIND));
            }
            out.add(new Link(index, name, flags, master, kind));
        }
        return out;
    }

    public Optional<Link> link(String name) {
        var m = ifinfo(RTM_GETLINK, NLM_F_ACK, 0, 0, 0).attrString(IFLA_IFNAME, name);
        try {
            for (ByteBuffer b : socket.dump("get link " + name, m)) {
                if ((b.getShort(4) & 0xffff) == RTM_NEWLINK) {
                    var attrs = NetlinkSocket.attributes(b, 32, b.limit() - 32);
                    int master = attrs.containsKey(IFLA_MASTER) ? attrs.get(IFLA_MASTER).getInt(0) : 0;
                    return Optional.of(new Link(b.getInt(20), name, b.getInt(24), master, null));
                }
            }
            return Optional.empty();
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) return Optional.empty();
            throw e;
        }
    }

    public int index(String name) {
        return link(name).orElseThrow(() -> new LinuxException("find link " + name, Errno.ENODEV)).index();
    }

    /** A bridge with a fixed MAC (a bridge otherwise takes its lowest port's MAC, which changes as ports come and go). */
    public void addBridge(String name, byte[] mac) {
        var m = ifinfo(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0, 0, 0)
                .attrString(IFLA_IFNAME, name).attr(IFLA_ADDRESS, mac)
                .nest(IFLA_LINKINFO, false).attrString(IFLA_INFO_KIND, "bridge").end();
        socket.request("create bridge " + name, m);
    }

    /**
     * A veth pair in one message: {@code host} up on bridge {@code master} here, {@code peer} (down) in
     * the namespace {@code netnsFd} refers to, with ifindex {@code peerIndex} there (0: the kernel's choice). Made there from the start, the peer never moves between
     * namespaces (a move waits for RCU grace periods: 17–40 ms measured on a 2-core VM, against ~1 ms for this).
     */
    public void addVethInto(String host, int master, int netnsFd, String peer, int peerIndex) {
        var m = ifinfo(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, 0, IFF_UP, IFF_UP)
                .attrString(IFLA_IFNAME, host).attrU32(IFLA_MASTER, master)
                .nest(IFLA_LINKINFO, false).attrString(IFLA_INFO_KIND, "veth")
                .nest(IFLA_INFO_DATA, false).nest(VETH_INFO_PEER, false)
                .u8(AF_UNSPEC).u8(0).u16(0).u32(peerIndex).u32(0).u32(0) // not up yet: veth cannot open an end before both exist (ENOTCONN)
                .attrString(IFLA_IFNAME, peer).attrU32(IFLA_NET_NS_FD, netnsFd)
                .end().end().end();
        socket.request("create veth " + host + " with " + peer + " in the container's namespace", m);
    }

    public void setUp(int index) {
        socket.request("set link " + index + " up", ifinfo(RTM_NEWLINK, NLM_F_ACK, index, IFF_UP, IFF_UP));
    }

    /** Deletes the link if it exists; false when there was none. */
    public boolean deleteIfPresent(String name) {
        try {
            socket.request("delete link " + name, ifinfo(RTM_DELLINK, NLM_F_ACK, 0, 0, 0).attrString(IFLA_IFNAME, name));
            return true;
        } catch (LinuxException e) {
            if (e.errno() == Errno.ENODEV) return false;
            throw e;
        }
    }

    /**
     * A fresh namespace's interface set up in one round trip: {@code index} gets the address and
     * comes up, lo comes up, the default route goes through {@code gateway}. The kernel handles the
     * messages in order.
     */
    public void configure(int index, Inet4Address address, int prefix, Inet4Address gateway) {
        var m = new NlMessage().begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                .u8(AF_INET).u8(prefix).u8(0).u8(RT_SCOPE_UNIVERSE).u32(index)
                .attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK).u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(IFF_UP).u32(IFF_UP);
        m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK).u8(AF_UNSPEC).u8(0).u16(0).u32(1).u32(IFF_UP).u32(IFF_UP);
        m.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                .u8(AF_INET).u8(0).u8(0).u8(0).u8(RT_TABLE_MAIN).u8(RTPROT_BOOT).u8(RT_SCOPE_UNIVERSE).u8(RTN_UNICAST).u32(0)
                .attr(RTA_GATEWAY, gateway.getAddress());
        socket.request("configure link " + index + " with " + address.getHostAddress() + "/" + prefix + ", lo and a default route via " + gateway.getHostAddress(), m);
    }

    public void addAddress(int index, Inet4Address address, int prefix) {
        var m = new NlMessage().begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
                .u8(AF_INET).u8(prefix).u8(0).u8(RT_SCOPE_UNIVERSE).u32(index)
                .attr(IFA_LOCAL, address.getAddress()).attr(IFA_ADDRESS, address.getAddress());
        socket.request("add address " + address.getHostAddress() + "/" + prefix + " to link " + index, m);
    }

    public List<Address> addresses() {
        var m = new NlMessage().begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP).u8(AF_INET).u8(0).u8(0).u8(0).u32(0);
        var out = new ArrayList<Address>();
        for (ByteBuffer b : socket.dump("list addresses", m)) {
            int prefix = b.get(17) & 0xff;
            int index = b.getInt(20);
            var attrs = NetlinkSocket.attributes(b, 24, b.limit() - 24);
            ByteBuffer a = attrs.getOrDefault(IFA_LOCAL, attrs.get(IFA_ADDRESS));
            if (a != null && a.limit() == 4) out.add(new Address(index, inet(a), prefix));
        }
        return out;
    }

    public List<Route> routes() {
        var m = new NlMessage().begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP).u8(AF_INET).u8(0).u8(0).u8(0)
                .u8(0).u8(0).u8(0).u8(0).u32(0);
        var out = new ArrayList<Route>();
        for (ByteBuffer b : socket.dump("list routes", m)) {
            int prefix = b.get(17) & 0xff;
            int table = b.get(20) & 0xff;
            var attrs = NetlinkSocket.attributes(b, 28, b.limit() - 28);
            if (attrs.containsKey(RTA_TABLE)) table = attrs.get(RTA_TABLE).getInt(0);
            if (table != RT_TABLE_MAIN) continue;
            Inet4Address dst = attrs.containsKey(RTA_DST) ? inet(attrs.get(RTA_DST)) : null;
            int oif = attrs.containsKey(RTA_OIF) ? attrs.get(RTA_OIF).getInt(0) : 0;
            Inet4Address gateway = attrs.containsKey(RTA_GATEWAY) ? inet(attrs.get(RTA_GATEWAY)) : null;
            out.add(new Route(dst, prefix, oif, gateway, b.get(21) & 0xff));
        }
        return out;
    }

    private static Inet4Address inet(ByteBuffer b) {
        byte[] a = new byte[4];
        b.get(0, a);
        try {
            return (Inet4Address) java.net.InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
