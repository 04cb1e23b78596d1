package dev.berth.executor.network;

import dev.berth.model.net.Subnet;
import dev.berth.executor.ProcFiles;
import dev.berth.executor.netlink.Nftables;
import dev.berth.executor.netlink.Rtnl;
import dev.berth.model.PortMapping;
import dev.berth.model.spec.PortSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's bridge network: the bridge (made when absent, reused when an earlier run left it),
 * the packet filter that keeps containers off the node's own services, the address table and the
 * published ports' relays. Containers are attached before they start and
 * detached when they end; all of it through netlink, no {@code ip} or {@code nft} binary.
 */
public final class NodeNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeNetwork.class);

    private final NetworkConfig config;
    private final Subnet subnet;
    private final Rtnl rtnl;
    private final Nftables firewall;
    private final Ipam ipam;
    private final int bridgeIndex;
    private final InetAddress publishAddress;
    private final String resolvConf;
    private final Map<String, List<Relay>> forwarders = new ConcurrentHashMap<>();
    private final Map<String, List<PortSpec>> published = new ConcurrentHashMap<>();
    /** Published ports forwarded in the kernel, per container; the chains are rewritten from all of them. */
    private final Map<String, List<Nftables.Dnat>> kernelForwarded = new ConcurrentHashMap<>();
    /** The VXLAN device's index once made (network mode vxlan, at the first peer), else -1. */
    private int vxlanIndex = -1;
    private final Path stateDir;
    /** Other nodes' container subnets this node routes to now (cidr → the node's address), and the peers it could not route to. */
    private final Map<String, InetAddress> routed = new java.util.LinkedHashMap<>();
    private final Set<String> unroutable = new HashSet<>();
    /** Whether this network turned the host's IPv4 forwarding on already (see {@link Forwarding}). */
    private volatile boolean forwarding;
    /** Set by {@link #close}: a routing call that comes after it changes nothing. */
    private boolean closed;
    private final java.util.concurrent.ExecutorService unlinking = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("berth-veth-removal").unstarted(r));

    private NodeNetwork(NetworkConfig config, Subnet subnet, Rtnl rtnl, Nftables firewall, Ipam ipam, int bridgeIndex, Path stateDir) throws IOException {
        this.stateDir = stateDir;
        this.config = config;
        this.subnet = subnet;
        this.rtnl = rtnl;
        this.firewall = firewall;
        this.ipam = ipam;
        this.bridgeIndex = bridgeIndex;
        this.publishAddress = InetAddress.getByName(config.publishAddress());
        this.resolvConf = resolvConf(config.dns());
    }

    /**
     * Makes (or adopts) the bridge and the filter, and removes what an earlier run left on the
     * bridge that no container holds any more.
     *
     * @throws IOException when the subnet is in use on this host, with where
     */
    public static NodeNetwork start(NetworkConfig config, Path stateDir) throws IOException {
        Subnet subnet = Subnet.parse(config.subnet());
        Files.createDirectories(stateDir);
        Rtnl rtnl = Rtnl.open();
        Nftables firewall = null;
        try {
            var existing = rtnl.link(config.bridge());
            if (existing.isPresent() && !"bridge".equals(kindOf(rtnl, config.bridge()))) {
                throw new IOException("network.bridge: a link named " + config.bridge() + " exists and is not a bridge");
            }
            // an earlier run's VXLAN device holds an address of our subnet: it goes, to be made again at the first peer
            if (rtnl.deleteIfPresent(config.vxlanDevice())) LOG.info("removed an earlier run's VXLAN device {}", config.vxlanDevice());
            checkSubnetFree(rtnl, subnet, existing.map(Rtnl.Link::index).orElse(-1));
            int bridge;
            if (existing.isEmpty()) {
                rtnl.addBridge(config.bridge(), localMac());
                bridge = rtnl.index(config.bridge());
                LOG.info("made bridge {} with {} for {}", config.bridge(), subnet.gateway().getHostAddress(), subnet);
            } else {
                bridge = existing.get().index();
                LOG.info("reusing bridge {} for {}", config.bridge(), subnet);
            }
            int b = bridge;
            boolean hasGateway = rtnl.addresses().stream().anyMatch(a -> a.index() == b && a.address().equals(subnet.gateway()));
            if (!hasGateway) rtnl.addAddress(bridge, subnet.gateway(), subnet.prefix());
            rtnl.setUp(bridge);
            firewall = new Nftables(config.firewallTable());
            firewall.install(config.bridge());
            if (config.egress()) {
                // opt-in: containers reach beyond the cluster, leaving with the node's address
                Forwarding.enable(stateDir);
                firewall.forwardOnlyTo(config.bridge(), List.of(), true);
                firewall.masquerade(config.bridge(), subnet.network(), subnet.prefix(), List.of());
                LOG.info("egress on: containers on {} reach beyond the cluster, masqueraded as this node", config.bridge());
            }
            var ipam = new Ipam(subnet, stateDir.resolve("ipam.tsv"));
            removeStrays(rtnl, bridge, ipam);
            removeOwnRoutes(rtnl);
            return new NodeNetwork(config, subnet, rtnl, firewall, ipam, bridge, stateDir);
        } catch (IOException | RuntimeException e) {
            if (firewall != null) firewall.close();
            rtnl.close();
            throw e instanceof IOException io ? io : new IOException("bridge network " + config.bridge() + ": " + e.getMessage(), e);
        }
    }

    private static String kindOf(Rtnl rtnl, String name) {
        return rtnl.links().stream().filter(l -> l.name().equals(name)).map(Rtnl.Link::kind).findFirst().orElse(null);
    }

    /** Another interface or route of the host in our subnet would make containers' traffic ambiguous: refused. */
    static void checkSubnetFree(Rtnl rtnl, Subnet subnet, int ownBridge) throws IOException {
        var names = new java.util.HashMap<Integer, String>();
        rtnl.links().forEach(l -> names.put(l.index(), l.name()));
        for (var a : rtnl.addresses()) {
            if (a.index() != ownBridge && subnet.overlaps(Subnet.toInt(a.address()), a.prefix())) {
                throw new IOException("network.subnet " + subnet + " is in use on this host: " + a.address().getHostAddress() + "/" + a.prefix()
                        + " on " + names.getOrDefault(a.index(), "link " + a.index()) + "; choose another subnet for the node");
            }
        }
        for (var r : rtnl.routes()) {
            if (r.dst() != null && r.oif() != ownBridge && subnet.overlaps(Subnet.toInt(r.dst()), r.prefix())) {
                throw new IOException("network.subnet " + subnet + " is in use on this host: a route to " + r.dst().getHostAddress() + "/" + r.prefix()
                        + " via " + names.getOrDefault(r.oif(), "link " + r.oif()) + "; choose another subnet for the node");
            }
        }
    }

    /** Links on our bridge that no lease names are leftovers of a run that died: removed. */
    private static void removeStrays(Rtnl rtnl, int bridge, Ipam ipam) {
        Set<String> held = new HashSet<>();
        ipam.leases().values().forEach(l -> held.add(l.hostVeth()));
        for (var l : rtnl.links()) {
            if (l.master() == bridge && !held.contains(l.name())) {
                LOG.info("removing leftover link {} from bridge", l.name());
                rtnl.deleteIfPresent(l.name());
            }
        }
    }

    /** Berth's routes (its protocol mark) that an earlier run left: removed, to be made again from the peers. */
    private static void removeOwnRoutes(Rtnl rtnl) {
        for (var r : rtnl.routes()) {
            if (r.protocol() == Rtnl.RTPROT_BERTH && r.dst() != null) {
                try {
                    rtnl.deleteRoute(r.dst(), r.prefix());
                } catch (RuntimeException e) {
                    LOG.warn("cannot remove an earlier run's route to {}/{}: {}", r.dst().getHostAddress(), r.prefix(), e.getMessage());
                }
            }
        }
    }

    /** Another node: its id, its address, and its containers' subnet. */
    public record Peer(String nodeId, String address, String subnet) {
    }

    /**
     * Routes to other nodes' container subnets through the nodes' addresses (host-gw, as flannel
     * does), made and removed through netlink as nodes come and go, so that containers reach
     * containers on other nodes by address. A peer must be on a link of this node (one L2
     * segment); a peer on this very host (its address is one of ours, or loopback) needs no route,
     * and a subnet that overlaps ours or a route the host has already is left alone, with a warning.
     * The first route turns IPv4 forwarding on (put back on {@link #close}) and limits what
     * containers may send through the node to the peers' subnets. Blocking; one caller at a time.
     *
     * <p>In network mode vxlan the peers need not share a segment: a VXLAN device (made at the first
     * peer, sending from this node's address) carries the traffic, and each peer gets what flannel's
     * vxlan backend writes — a forwarding entry (the peer's device MAC → the peer's address), a
     * neighbour entry (the peer's subnet's first address → that MAC) and a route (the peer's subnet
     * via that address on the device, onlink). The MACs follow from the subnets, so nothing but the
     * peers' addresses and subnets has to be exchanged.
     */
    public synchronized void routeTo(String selfId, List<Peer> peers) throws IOException {
        if (closed) return;
        boolean vxlan = config.mode().equals(NetworkConfig.VXLAN);
        if (vxlan && vxlanIndex < 0) {
            var self = peers.stream().filter(p -> p.nodeId().equals(selfId) && p.address() != null).findFirst();
            if (self.isEmpty()) return; // this node's address is not known yet: the next round
            makeVxlan((java.net.Inet4Address) InetAddress.getByName(self.get().address()));
        }
        var desired = new java.util.LinkedHashMap<String, InetAddress>();
        var subnets = new java.util.LinkedHashMap<String, Subnet>();
        List<Rtnl.Address> own;
        List<Rtnl.Route> routes;
        synchronized (rtnl) {
            own = rtnl.addresses();
            routes = rtnl.routes();
        }
        for (Peer p : peers) {
            if (p.nodeId().equals(selfId) || p.subnet() == null || p.address() == null) continue;
            Subnet theirs;
            InetAddress gateway;
            try {
                theirs = Subnet.parse(p.subnet());
                gateway = InetAddress.getByName(p.address());
            } catch (IOException | IllegalArgumentException e) {
                warnOnce(p.nodeId(), "node " + p.nodeId() + " says its subnet is " + p.subnet() + " at " + p.address() + ": " + e.getMessage());
                continue;
            }
            if (!(gateway instanceof java.net.Inet4Address gw4)) continue;
            String why = null;
            if (gateway.isLoopbackAddress() || own.stream().anyMatch(a -> a.address().equals(gw4))) continue; // same host
            if (subnet.overlaps(theirs.network(), theirs.prefix())) why = "its subnet " + theirs + " overlaps this node's " + subnet;
            else if (!vxlan && own.stream().noneMatch(a -> a.index() != bridgeIndex && onLink(a, gw4))) {
                why = "its address " + p.address() + " is on no link of this node (routing through node addresses needs one L2 segment)";
            } else if (routes.stream().anyMatch(r -> r.protocol() != Rtnl.RTPROT_BERTH && r.dst() != null && theirs.overlaps(Subnet.toInt(r.dst()), r.prefix()))) {
                why = "the host has a route of its own to " + theirs;
            }
            if (why != null) {
                warnOnce(p.nodeId() + why, "no route to node " + p.nodeId() + "'s containers: " + why);
                continue;
            }
            desired.put(theirs.toString(), gateway);
            subnets.put(theirs.toString(), theirs);
        }
        if (desired.equals(routed)) return;
        if (!desired.isEmpty()) forward();
        synchronized (rtnl) {
            for (var e : new java.util.ArrayList<>(routed.entrySet())) {
                if (e.getValue().equals(desired.get(e.getKey()))) continue;
                unroute(e.getKey(), e.getValue());
                routed.remove(e.getKey());
                LOG.info("route to {} via {} removed", e.getKey(), e.getValue().getHostAddress());
            }
            for (var e : desired.entrySet()) {
                if (routed.containsKey(e.getKey())) continue;
                Subnet to = subnets.get(e.getKey());
                var gateway = (java.net.Inet4Address) e.getValue();
                if (vxlan) {
                    var first = Subnet.address(to.network());
                    rtnl.setForwarding(vxlanIndex, vxlanMac(to), gateway);
                    rtnl.setNeighbour(vxlanIndex, first, vxlanMac(to));
                    rtnl.addOnlinkRoute(first, to.prefix(), first, vxlanIndex);
                } else {
                    rtnl.addRoute(Subnet.address(to.network()), to.prefix(), gateway);
                }
                routed.put(e.getKey(), e.getValue());
                LOG.info("route to {} via {}{} (another node's containers)", e.getKey(), gateway.getHostAddress(), vxlan ? " over VXLAN" : "");
            }
        }
        synchronized (firewall) {
            var peerNets = subnets.values().stream().map(x -> new int[] {x.network(), x.prefix()}).toList();
            firewall.forwardOnlyTo(config.bridge(), peerNets, config.egress());
            if (config.egress()) firewall.masquerade(config.bridge(), subnet.network(), subnet.prefix(), peerNets);
        }
    }

    /** Removes what {@link #routeTo} made for one peer's subnet; a failure is logged, not thrown. */
    private void unroute(String cidr, InetAddress via) {
        Subnet gone = Subnet.parse(cidr);
        var first = Subnet.address(gone.network());
        try {
            rtnl.deleteRoute(first, gone.prefix());
            if (vxlanIndex >= 0) {
                rtnl.deleteNeighbour(vxlanIndex, first);
                rtnl.deleteForwarding(vxlanIndex, vxlanMac(gone), (java.net.Inet4Address) via);
            }
        } catch (RuntimeException ex) {
            LOG.warn("cannot remove the route to {}: {}", cidr, ex.getMessage());
        }
    }

    /** The VXLAN device, sending from {@code local}; it holds our subnet's first address (as a /32), as flannel's does. */
    private void makeVxlan(java.net.Inet4Address local) {
        synchronized (rtnl) {
            String name = config.vxlanDevice();
            rtnl.addVxlan(name, NetworkConfig.VXLAN_VNI, local, NetworkConfig.VXLAN_PORT, vxlanMac(subnet));
            int index = rtnl.index(name);
            rtnl.addAddress(index, Subnet.address(subnet.network()), 32);
            rtnl.setUp(index);
            vxlanIndex = index;
            LOG.info("made VXLAN device {} (VNI {}, UDP {}) from {}", name, NetworkConfig.VXLAN_VNI, NetworkConfig.VXLAN_PORT, local.getHostAddress());
        }
    }

    /** A node's VXLAN device MAC, from its subnet (unique in the cluster): 02:b7 and the subnet's four bytes. */
    static byte[] vxlanMac(Subnet s) {
        int n = s.network();
        return new byte[] {0x02, (byte) 0xb7, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    /** Whether {@code address} is in the subnet of the link address {@code a}. */
    static boolean onLink(Rtnl.Address a, java.net.Inet4Address address) {
        int mask = Subnet.mask(a.prefix());
        return (Subnet.toInt(a.address()) & mask) == (Subnet.toInt(address) & mask);
    }

    private void warnOnce(String key, String message) {
        if (unroutable.add(key)) LOG.warn(message);
    }

    /** Other nodes' subnets this node routes to now, with the node address each goes through. */
    public synchronized Map<String, InetAddress> routes() {
        return Map.copyOf(routed);
    }

    private static byte[] localMac() {
        byte[] mac = new byte[6];
        ThreadLocalRandom.current().nextBytes(mac);
        mac[0] = (byte) ((mac[0] & 0xfe) | 0x02); // unicast, locally administered
        return mac;
    }

    public NetworkConfig config() {
        return config;
    }

    public Subnet subnet() {
        return subnet;
    }

    /**
     * Gives the container an address and a veth and opens its published ports; undone by
     * {@link #detach}. {@code ports}' host ports are fixed by now (the scheduler chose the dynamic ones).
     *
     * @throws IOException when a host port cannot be bound or no address is left
     */
    public Attachment attach(String containerId, List<PortSpec> ports) throws IOException {
        String veth = "bv" + java.util.HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()); // made at launch, see ContainerNet
        Ipam.Lease lease = ipam.allocate(containerId, veth);
        var mappings = new ArrayList<PortMapping>();
        try {
            var relays = new ArrayList<Relay>();
            forwarders.put(containerId, relays);
            var opened = new ArrayList<PortSpec>();
            published.put(containerId, opened);
            var kernel = new ArrayList<Nftables.Dnat>();
            for (PortSpec p : ports) {
                if (p.staticPort() == null) throw new IllegalArgumentException("port " + p.name() + " has no host port assigned");
                var target = new InetSocketAddress(lease.address(), p.to());
                relays.add(p.udp() ? new UdpForwarder(publishAddress, p.staticPort(), target) : new PortForwarder(publishAddress, p.staticPort(), target));
                synchronized (firewall) {
                    firewall.publish(p.staticPort(), p.udp());
                }
                opened.add(p);
                kernel.add(new Nftables.Dnat(p.udp() ? Nftables.IPPROTO_UDP : Nftables.IPPROTO_TCP, p.staticPort(), lease.address(), p.to()));
                mappings.add(new PortMapping(p.name(), p.staticPort(), p.to(), p.protocol()));
            }
            if (!kernel.isEmpty() && kernelPorts()) {
                kernelForwarded.put(containerId, kernel);
                forward(); // DNAT'd packets are forwarded to the bridge
                writeDnat();
            }
        } catch (IOException | RuntimeException e) {
            detach(containerId);
            throw e;
        }
        return new Attachment(lease.address(), subnet.prefix(), subnet.gateway(), veth, bridgeIndex, mappings);
    }

    /** Turns the host's IPv4 forwarding on, once per network (a start with published ports need not read the sysctl again). */
    private void forward() throws IOException {
        if (forwarding) return;
        Forwarding.enable(stateDir);
        forwarding = true;
    }

    /** Whether published ports are forwarded in the kernel here (DNAT cannot serve a loopback publish address). */
    private boolean kernelPorts() {
        return config.publishMode().equals(NetworkConfig.DNAT) && !publishAddress.isLoopbackAddress();
    }

    /** The DNAT chains, rewritten whole from every container's kernel-forwarded ports. */
    private void writeDnat() {
        var all = kernelForwarded.values().stream().flatMap(List::stream).toList();
        var onlyTo = publishAddress.isAnyLocalAddress() ? null : (java.net.Inet4Address) publishAddress;
        synchronized (firewall) {
            firewall.dnat(config.bridge(), all, onlyTo);
        }
    }

    /** Removes what {@link #attach} made; safe to call twice, and for a container it never attached. */
    public void detach(String containerId) {
        var relays = forwarders.remove(containerId);
        if (relays != null) relays.forEach(Relay::close);
        if (kernelForwarded.remove(containerId) != null) {
            try {
                writeDnat();
            } catch (RuntimeException e) {
                LOG.warn("container {}: cannot stop forwarding its ports in the kernel: {}", containerId, e.getMessage());
            }
        }
        var ports = published.remove(containerId);
        if (ports != null) {
            for (PortSpec p : ports) {
                try {
                    synchronized (firewall) {
                        firewall.unpublish(p.staticPort(), p.udp());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("container {}: cannot close port {} to containers: {}", containerId, p.staticPort(), e.getMessage());
                }
            }
        }
        try {
            ipam.release(containerId).ifPresent(lease -> unlinking.execute(() -> deleteVeth(containerId, lease.hostVeth())));
        } catch (IOException | RuntimeException e) {
            LOG.warn("container {}: cannot release its address: {}", containerId, e.getMessage());
        }
    }

    /**
     * Deleting a veth waits for RCU grace periods (20–50 ms measured here), so it happens off the
     * path that reports the container's end. The address is free already: next-fit hands it out
     * again only after every other one. A crash before the delete leaves the veth on the bridge,
     * where the next start finds it held by no lease and removes it.
     */
    private void deleteVeth(String containerId, String veth) {
        try {
            synchronized (rtnl) {
                rtnl.deleteIfPresent(veth);
            }
        } catch (RuntimeException e) {
            LOG.warn("container {}: cannot delete its veth {}: {}", containerId, veth, e.getMessage());
        }
    }

    /** Waits until the veths of ended containers are gone (tests, and shutdown). */
    public void settle() {
        try {
            unlinking.submit(() -> { }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("veth removal did not settle: {}", e.getMessage());
        }
    }

    /** Leases whose container is not among {@code alive} (an earlier run died before cleaning up): released. */
    public void retainOnly(Set<String> alive) {
        for (String owner : ipam.leases().keySet()) if (!alive.contains(owner)) detach(owner);
    }

    public Map<String, Ipam.Lease> leases() {
        return ipam.leases();
    }

    /** /etc/hosts for a container: its own name on its own address. */
    public static String hosts(String hostname, java.net.Inet4Address ip) {
        return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + ip.getHostAddress() + "\t" + hostname + "\n";
    }

    public String resolvConf() {
        return resolvConf;
    }

    /**
     * The configured nameservers, or else the host's without the loopback ones (a container's
     * 127.0.0.53 is not the host's resolver), with the host's search and options lines.
     */
    static String resolvConf(List<String> dns) {
        var out = new StringBuilder();
        List<String> host = List.of();
        try {
            host = Files.exists(Path.of("/etc/resolv.conf")) ? List.of(ProcFiles.read(Path.of("/etc/resolv.conf")).split("\n")) : List.of();
        } catch (IOException ignored) {
            // no host resolver configuration: none for the container either
        }
        if (dns.isEmpty()) {
            for (String line : host) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver") && !f[1].startsWith("127.") && !f[1].equals("::1")) out.append(line.trim()).append('\n');
            }
        } else {
            dns.forEach(d -> out.append("nameserver ").append(d).append('\n'));
        }
        for (String line : host) {
            String t = line.trim();
            if (t.startsWith("search ") || t.startsWith("options ")) out.append(t).append('\n');
        }
        return out.toString();
    }

    /**
     * On shutdown, with every container ended: relays, the filter and — once no port is left on
     * it — the bridge are removed, so that a stopped node leaves nothing behind.
     */
    @Override
    public void close() {
        forwarders.keySet().forEach(this::detach);
        settle();
        unlinking.shutdown();
        synchronized (this) {
            closed = true;
            routed.forEach(this::unroute);
            routed.clear();
            if (vxlanIndex >= 0) {
                try {
                    rtnl.deleteIfPresent(config.vxlanDevice());
                } catch (RuntimeException e) {
                    LOG.warn("cannot remove VXLAN device {}: {}", config.vxlanDevice(), e.getMessage());
                }
                vxlanIndex = -1;
            }
        }
        try {
            Forwarding.restore(stateDir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot put IPv4 forwarding back as it was: {}", e.getMessage());
        }
        try {
            firewall.remove();
        } catch (RuntimeException e) {
            LOG.warn("cannot remove nf_tables table {}: {}", config.firewallTable(), e.getMessage());
        }
        firewall.close();
        try {
            int bridge = rtnl.index(config.bridge());
            boolean inUse = rtnl.links().stream().anyMatch(l -> l.master() == bridge);
            if (inUse) LOG.warn("bridge {} still has ports; kept", config.bridge());
            else rtnl.deleteIfPresent(config.bridge());
        } catch (RuntimeException e) {
            LOG.warn("cannot remove bridge {}: {}", config.bridge(), e.getMessage());
        }
        rtnl.close();
    }
}
