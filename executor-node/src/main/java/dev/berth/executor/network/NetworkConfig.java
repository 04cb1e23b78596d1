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
 * @param mode           how containers reach other nodes' containers: {@link #HOST_GW} (routes through the nodes'
 *                       addresses; one L2 segment) or {@link #VXLAN} (a VXLAN device carries it over any IPv4 path)
 * @param publishMode    {@link #DNAT}: published ports are forwarded in the kernel for traffic to a node address
 *                       (and relayed for loopback and containers); {@link #RELAY}: every byte through the node's relay
 */
public record NetworkConfig(String bridge, String subnet, String firewallTable, String publishAddress, List<String> dns, boolean egress,
                            String mode, String publishMode) {
    public static final String HOST_GW = "host-gw", VXLAN = "vxlan", DNAT = "dnat", RELAY = "relay";
    /** The VXLAN network identifier and UDP port (IANA's) Berth's VXLAN devices use. */
    public static final int VXLAN_VNI = 4242, VXLAN_PORT = 4789;
    public static final NetworkConfig DEFAULT = new NetworkConfig("berth0", null, "berth", "0.0.0.0", List.of(), false, HOST_GW, DNAT);

    public NetworkConfig {
        dns = List.copyOf(dns);
        if (bridge.isEmpty() || bridge.length() > 15 || !bridge.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("network.bridge: \"" + bridge + "\" is not a link name (1–15 letters, digits, _ . -)");
        }
        if (!bridge.toLowerCase(java.util.Locale.ROOT).contains("berth")) {
            throw new IllegalArgumentException("network.bridge: \"" + bridge + "\" must contain \"berth\", so that what Berth made is recognisable on the host");
        }
        if (subnet != null) Subnet.parse(subnet);
        if (!mode.equals(HOST_GW) && !mode.equals(VXLAN)) {
            throw new IllegalArgumentException("network.mode: \"" + mode + "\" is not " + HOST_GW + " or " + VXLAN);
        }
        if (!publishMode.equals(DNAT) && !publishMode.equals(RELAY)) {
            throw new IllegalArgumentException("network.publishMode: \"" + publishMode + "\" is not " + DNAT + " or " + RELAY);
        }
    }

    /** This network on {@code cidr}, as the schedulers leased it. */
    public NetworkConfig withSubnet(String cidr) {
        return new NetworkConfig(bridge, cidr, firewallTable, publishAddress, dns, egress, mode, publishMode);
    }

    public NetworkConfig withBridge(String name, String cidr, String table) {
        return new NetworkConfig(name, cidr, table, publishAddress, dns, egress, mode, publishMode);
    }

    public NetworkConfig withPublishMode(String how) {
        return new NetworkConfig(bridge, subnet, firewallTable, publishAddress, dns, egress, mode, how);
    }

    /** The VXLAN device's name: the bridge's with "vx" after "berth" ({@code berth0} → {@code berthvx0}). */
    public String vxlanDevice() {
        String name = bridge.replaceFirst("(?i)berth", "berthvx");
        return name.length() <= 15 ? name : name.substring(0, 15);
    }
}
