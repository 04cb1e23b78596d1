package dev.berth.executor.network;

import dev.berth.executor.linux.Sys;
import dev.berth.executor.netlink.Rtnl;

/**
 * What happens in a new container's network namespace before its command runs: a veth pair made
 * from the host's namespace with one end on the bridge and the other, eth0, born in the
 * container's; then — from a socket opened inside — lo up, the address, the default route through
 * the bridge. Runs on a throwaway thread: it enters the container's namespace and does not come back.
 */
public final class ContainerNet {
    private ContainerNet() {
    }

    /** eth0's ifindex in the container: lo is 1 in every new namespace, so 2 is free. */
    static final int ETH0 = 2;

    /** @param attachment null for network mode none: only lo, up */
    public static void configure(int netnsFd, Attachment attachment) {
        if (attachment != null) {
            try (Rtnl host = Rtnl.open()) {
                host.addVethInto(attachment.hostVeth(), attachment.bridgeIndex(), netnsFd, "eth0", ETH0);
            }
        }
        Sys.setns(netnsFd, Sys.CLONE_NEWNET);
        try (Rtnl inside = Rtnl.open()) {
            if (attachment != null) inside.configure(ETH0, attachment.ip(), attachment.prefix(), attachment.gateway());
            else inside.setUp(1); // lo is ifindex 1 in every namespace
        }
        // ping without CAP_NET_RAW (which containers do not get): ICMP sockets for every group, as Docker does
        Sys.writeFile("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
        // ports below 1024 without CAP_NET_BIND_SERVICE over the namespace, which the root of a container with
        // a user namespace lacks (the network namespace is the host user namespace's), as Docker does
        Sys.writeFile("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
    }
}
