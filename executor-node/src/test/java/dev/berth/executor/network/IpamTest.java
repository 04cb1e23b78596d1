package dev.berth.executor.network;

import dev.berth.model.net.Subnet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("never the same address twice, never the gateway, and none left tells why")
    void unique() throws Exception {
        var ipam = new Ipam(Subnet.parse("10.9.0.0/29"), dir.resolve("ipam.tsv")); // 6 hosts: gateway + 5
        var seen = new HashSet<String>();
        for (int i = 0; i < 5; i++) seen.add(ipam.allocate("c" + i, "bv" + i).address().getHostAddress());
        assertThat(seen).hasSize(5).doesNotContain("10.9.0.1", "10.9.0.0", "10.9.0.7");
        assertThatThrownBy(() -> ipam.allocate("c5", "bv5")).hasMessageContaining("no free address left in 10.9.0.0/29");
    }

    @Test
    @DisplayName("an address comes back when released, after the others (next-fit)")
    void releaseAndReuse() throws Exception {
        var ipam = new Ipam(Subnet.parse("10.9.0.0/24"), dir.resolve("ipam.tsv"));
        var a = ipam.allocate("a", "bva").address();
        ipam.allocate("b", "bvb");
        ipam.release("a");
        assertThat(ipam.allocate("c", "bvc").address()).isNotEqualTo(a);
        assertThat(ipam.release("nobody")).isEmpty();
    }

    @Test
    @DisplayName("the table survives a restart: a new instance knows the leases and hands none of them out")
    void persisted() throws Exception {
        Path file = dir.resolve("ipam.tsv");
        var first = new Ipam(Subnet.parse("10.9.0.0/29"), file);
        var a = first.allocate("a", "bva");
        var second = new Ipam(Subnet.parse("10.9.0.0/29"), file);
        assertThat(second.leases()).containsKey("a");
        assertThat(second.leases().get("a").hostVeth()).isEqualTo("bva");
        for (int i = 0; i < 4; i++) assertThat(second.allocate("n" + i, "bv").address()).isNotEqualTo(a.address());
        assertThat(Files.readString(file)).contains("a\t" + a.address().getHostAddress() + "\tbva");
    }

    @Test
    @DisplayName("subnets: parse errors name the problem; overlap works both ways")
    void subnets() {
        assertThatThrownBy(() -> Subnet.parse("10.210.0.0")).hasMessageContaining("is not a subnet");
        assertThatThrownBy(() -> Subnet.parse("10.300.0.0/16")).hasMessageContaining("is not an IPv4 subnet");
        assertThatThrownBy(() -> Subnet.parse("10.0.0.0/31")).hasMessageContaining("between /8 and /30");
        var s = Subnet.parse("10.210.0.0/16");
        assertThat(s.gateway().getHostAddress()).isEqualTo("10.210.0.1");
        assertThat(s.overlaps(Subnet.parse("10.0.0.0/8").network(), 8)).isTrue();
        assertThat(s.overlaps(Subnet.parse("10.210.5.0/24").network(), 24)).isTrue();
        assertThat(s.overlaps(Subnet.parse("10.88.0.0/16").network(), 16)).isFalse();
    }
}
