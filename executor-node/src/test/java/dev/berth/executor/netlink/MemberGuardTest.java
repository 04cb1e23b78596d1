package dev.berth.executor.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The member guard on the real kernel: a table of its own on loopback, members by source address. */
class MemberGuardTest {
    final MemberGuard guard = new MemberGuard("berth_test_members");

    @AfterEach
    void down() {
        guard.remove();
        guard.close();
    }

    @Test
    @DisplayName("only listed members reach the guarded ports; other ports are untouched; removing the table opens them again")
    void onlyMembers() throws Exception {
        try (var guarded = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             var other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            guard.install(List.of(guarded.getLocalPort()), List.of((Inet4Address) InetAddress.getByName("127.0.0.2")));
            assertThat(nft()).contains("table inet berth_test_members").contains("127.0.0.2").contains("tcp dport " + guarded.getLocalPort());
            assertThat(connects("127.0.0.2", guarded.getLocalPort())).as("a member").isTrue();
            assertThat(connects("127.0.0.3", guarded.getLocalPort())).as("not a member").isFalse();
            assertThat(connects("127.0.0.3", other.getLocalPort())).as("another port").isTrue();
            guard.install(List.of(guarded.getLocalPort()), List.of((Inet4Address) InetAddress.getByName("127.0.0.3")));
            assertThat(connects("127.0.0.3", guarded.getLocalPort())).as("the list changed: now a member").isTrue();
            assertThat(connects("127.0.0.2", guarded.getLocalPort())).as("no longer a member").isFalse();
            guard.remove();
            assertThat(nft()).doesNotContain("berth_test_members");
            assertThat(connects("127.0.0.2", guarded.getLocalPort())).isTrue();
        }
    }

    static boolean connects(String from, int port) {
        try (var s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String nft() throws Exception {
        var p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String tables = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        if (!tables.contains("berth_test_members")) return tables;
        p = new ProcessBuilder("nft", "list", "table", "inet", "berth_test_members").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
