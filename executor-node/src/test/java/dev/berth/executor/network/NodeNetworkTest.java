package dev.berth.executor.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.TestNetworks;
import dev.berth.executor.netlink.Rtnl;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge's life on the real kernel. */
class NodeNetworkTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a subnet in use on the host is refused, naming where; nothing is made")
    void subnetInUse() {
        var config = TestNetworks.of("inuse0", 3).withBridge("berth-inuse0", "127.0.0.0/16", "berth_inuse0");
        assertThatThrownBy(() -> NodeNetwork.start(config, dir))
                .hasMessageContaining("network.subnet 127.0.0.0/16 is in use on this host").hasMessageContaining("on lo");
        try (var rtnl = Rtnl.open()) {
            assertThat(rtnl.link("berth-inuse0")).isEmpty();
        }
    }

    @Test
    @DisplayName("the bridge is made with the gateway address, reused by the next start, and removed on close")
    void bridgeLife() throws Exception {
        var config = TestNetworks.of("life0", 4);
        try (var rtnl = Rtnl.open()) {
            var first = NodeNetwork.start(config, dir);
            int index = rtnl.index("berth-life0");
            assertThat(rtnl.addresses()).anyMatch(a -> a.index() == index && a.address().getHostAddress().equals("10.211.4.1") && a.prefix() == 24);
            // an executor that died leaves its bridge: the next start adopts it rather than failing on the subnet check
            var second = NodeNetwork.start(config, dir);
            assertThat(rtnl.index("berth-life0")).isEqualTo(index);
            second.close();
            first.close();
            assertThat(rtnl.link("berth-life0")).isEmpty();
            assertThat(rtnl.links()).noneMatch(l -> l.master() == index);
        }
    }

    @Test
    @DisplayName("a bridge name without \"berth\" is refused")
    void names() {
        assertThatThrownBy(() -> NetworkConfig.DEFAULT.withBridge("docker0", "10.211.9.0/24", "berth"))
                .hasMessageContaining("network.bridge").hasMessageContaining("must contain \"berth\"");
    }

    @Test
    @DisplayName("network and publish modes are checked; the VXLAN device is named after the bridge and its MAC follows from the subnet")
    void modes() {
        var net = NetworkConfig.DEFAULT;
        assertThatThrownBy(() -> new NetworkConfig("berth0", null, "berth", "0.0.0.0", java.util.List.of(), false, "overlay", "dnat"))
                .hasMessage("network.mode: \"overlay\" is not host-gw or vxlan");
        assertThatThrownBy(() -> net.withPublishMode("proxy")).hasMessage("network.publishMode: \"proxy\" is not dnat or relay");
        assertThat(net.vxlanDevice()).isEqualTo("berthvx0");
        assertThat(net.withBridge("berth-bench12", null, "t").vxlanDevice()).isEqualTo("berthvx-bench12").hasSizeLessThanOrEqualTo(15);
        assertThat(java.util.HexFormat.ofDelimiter(":").formatHex(NodeNetwork.vxlanMac(dev.berth.model.net.Subnet.parse("10.210.3.0/24"))))
                .isEqualTo("02:b7:0a:d2:03:00");
    }
}
