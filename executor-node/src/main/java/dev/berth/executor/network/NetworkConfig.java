package dev.berth.executor.network;

import dev.berth.model.net.Subnet;
import java.util.List;

/**
 * A node's bridge network.
 *
 * @param bridge         the bridge's name; containers' host-side veths are its ports
 * @param subnet         containers' addresses; the first one is the bridge's, the containers' gateway; null: a block
 *                       of the cluster's container range, leased by the schedulers when the node first connects.
 *                       The default 10.210.0.0/16 keeps clear of Podman (10.88.0.0/16, 10.89.x.0/24),
 *                       Docker (172.17.0.0/16 and its 172.18–31 pools), Kubernetes' usual service and
 *                       pod ranges (10.96.0.0/12, 10.244.0.0/16) and Nomad (172.26.64.0/20)
 * @param firewallTable  the nf_tables table (family inet) Berth owns on this node
 * @param publishAddress host address published ports listen on (0.0.0.0: every address of the node)
 * @param dns            nameservers written to containers' /etc/resolv.conf; empty: the host's own, minus loopback ones
 * @param egress         containers may reach beyond the cluster's containers, masqueraded as the node (opt-in)
 */
public record NetworkConfig(String bridge, String subnet, String firewallTable, String publishAddress, List<String> dns, boolean egress) {
    public static final NetworkConfig DEFAULT = new NetworkConfig("berth0", null, "berth", "0.0.0.0", List.of(), false);

    public NetworkConfig(String bridge, String subnet, String firewallTable, String publishAddress, List<String> dns) {
        this(bridge, subnet, firewallTable, publishAddress, dns, false);
    }

    public NetworkConfig {
        dns = List.copyOf(dns);
        if (bridge.isEmpty() || bridge.length() > 15 || !bridge.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("network.bridge: \"" + bridge + "\" is not a link name (1–15 letters, digits, _ . -)");
        }
        if (!bridge.toLowerCase(java.util.Locale.ROOT).contains("berth")) {
            throw new IllegalArgumentException("network.bridge: \"" + bridge + "\" must contain \"berth\", so that what Berth made is recognisable on the host");
        }
        if (subnet != null) Subnet.parse(subnet);
    }

    /** This network on {@code cidr}, as the schedulers leased it. */
    public NetworkConfig withSubnet(String cidr) {
        return new NetworkConfig(bridge, cidr, firewallTable, publishAddress, dns, egress);
    }

    public NetworkConfig withBridge(String name, String cidr, String table) {
        return new NetworkConfig(name, cidr, table, publishAddress, dns, egress);
    }
}
