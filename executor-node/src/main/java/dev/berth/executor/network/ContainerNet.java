package dev.berth.executor.network;

import dev.berth.executor.linux.Sys;
import dev.berth.executor.netlink.Rtnl;
import java.nio.charset.StandardCharsets;

/**
 * What happens in a new container's network namespace before its command runs: the veth end
 * moved in as eth0 (from the host's namespace), then — from a socket opened inside — lo and eth0
 * up, the address, the default route through the bridge. Runs on a throwaway thread: it enters
 * the container's namespace and does not come back.
 */
public final class ContainerNet {
    private ContainerNet() {
    }

    /** @param attachment null for network mode none: only lo, up */
    public static void configure(int netnsFd, Attachment attachment) {
        if (attachment != null) {
            try (Rtnl host = Rtnl.open()) {
                host.moveTo(attachment.peerIndex(), netnsFd, "eth0");
            }
        }
        Sys.setns(netnsFd, Sys.CLONE_NEWNET);
        try (Rtnl inside = Rtnl.open()) {
            inside.setUp(1); // lo is ifindex 1 in every namespace
            if (attachment != null) {
                int eth0 = inside.index("eth0");
                inside.addAddress(eth0, attachment.ip(), attachment.prefix());
                inside.setUp(eth0);
                inside.addDefaultRoute(attachment.gateway());
            }
        }
        // ping without CAP_NET_RAW (which containers do not get): ICMP sockets for every group, as Docker does
        writeSysctl("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
    }

    private static void writeSysctl(String path, String value) {
        int fd = Sys.open(path, Sys.O_WRONLY | Sys.O_CLOEXEC, 0);
        try {
            Sys.write(fd, value.getBytes(StandardCharsets.US_ASCII));
        } finally {
            Sys.close(fd);
        }
    }
}
