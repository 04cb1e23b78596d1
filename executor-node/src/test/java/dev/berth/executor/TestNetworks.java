package dev.berth.executor;

import dev.berth.executor.network.NetworkConfig;

/**
 * Bridge networks for tests: each test node its own bridge, subnet (10.211.n.0/24, nothing else's
 * on this host) and nf_tables table, so that nodes under test never meet, and all names carry "berth".
 */
public final class TestNetworks {
    private TestNetworks() {
    }

    /**
     * Published ports relayed only: these nodes live in the host's own namespace, whose IPv4
     * forwarding (which DNAT needs) the tests leave alone; the chaos hosts test DNAT.
     */
    public static NetworkConfig of(String name, int n) {
        return NetworkConfig.DEFAULT.withBridge("berth-" + name, "10.211." + n + ".0/24", "berth_" + name).withPublishMode(NetworkConfig.RELAY);
    }

    /** The same as executor settings: {@code config.with(TestNetworks.settings("e2e", 15))}. */
    public static java.util.Map<String, Object> settings(String name, int n) {
        var net = of(name, n);
        return java.util.Map.of("bridge", net.bridge(), "subnet", net.subnet(), "firewallTable", net.firewallTable());
    }
}
