package dev.berth.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.model.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a scheduler.yaml as the README shows it: three members form a CP group of three")
    void readmeFile() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler.yaml"), """
                bind: 10.0.0.1
                join: ["10.0.0.2:5701", "10.0.0.3:5701"]
                dataDir: /var/lib/berth
                nodeTtl: 10s
                insecure: true
                """);
        var c = Settings.read(SchedulerConfig.defaults(), file, Map.of());
        assertThat(c.members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.3:5701");
        assertThat(c.effectiveCpMembers()).isEqualTo(3);
        assertThat(c.cluster().quorum()).isEqualTo(2);
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/berth/scheduler"));
        assertThat(c.advertisedAddress()).isEqualTo("10.0.0.1");
    }

    @Test
    @DisplayName("with three or more members CP's unsafe mode is refused; one or two members run without CP")
    void cpMembers() {
        var three = SchedulerConfig.defaults().with("join", List.of("127.0.0.2", "127.0.0.3"));
        assertThat(three.effectiveCpMembers()).isEqualTo(3);
        assertThatThrownBy(() -> three.with("cpMembers", 0)).hasMessageContaining("cpMembers: 3 members are configured");
        assertThatThrownBy(() -> three.with("cpMembers", 2)).hasMessageContaining("the CP group needs 3 or more");
        assertThatThrownBy(() -> three.with("cpMembers", 5)).hasMessageContaining("more than the 3 members");
        assertThat(SchedulerConfig.defaults().with("join", List.of("127.0.0.2")).effectiveCpMembers()).isZero();
    }

    @Test
    @DisplayName("beyond loopback: TLS and tokens, or --insecure said out loud; tokens on by default there, off on loopback; bad addresses and ports are named")
    void insecureAndAddresses() throws Exception {
        assertThatThrownBy(() -> SchedulerConfig.defaults().with("bind", "10.0.0.1"))
                .hasMessageContaining("insecure: binding 10.0.0.1 beyond loopback needs TLS").hasMessageContaining("TLS is not set");
        var open = SchedulerConfig.defaults().with("bind", "10.0.0.1", "insecure", true);
        assertThat(open.aclEnabled()).as("--insecure turns tokens off unless acl says otherwise").isFalse();
        assertThat(SchedulerConfig.defaults().aclEnabled()).as("loopback").isFalse();
        assertThat(SchedulerConfig.defaults().with("acl", true).aclEnabled()).isTrue();
        var dir = java.nio.file.Files.createTempDirectory("berth-config-");
        try {
            var pem = java.nio.file.Files.writeString(dir.resolve("x.pem"), "x");
            var secured = SchedulerConfig.defaults().with("bind", "10.0.0.1", "tlsCa", pem, "tlsCert", pem, "tlsKey", pem);
            assertThat(secured.aclEnabled()).as("tokens on by default beyond loopback").isTrue();
            assertThatThrownBy(() -> SchedulerConfig.defaults().with("bind", "10.0.0.1", "tlsCa", pem, "tlsCert", pem, "tlsKey", pem, "acl", false))
                    .hasMessageContaining("acl is off");
            assertThatThrownBy(() -> SchedulerConfig.defaults().with("tlsCa", pem, "tlsKey", dir.resolve("none.pem")))
                    .hasMessageContaining("tlsCert: is needed too").hasMessageContaining("tlsKey: " + dir.resolve("none.pem") + " is not a readable file");
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertThatThrownBy(() -> SchedulerConfig.defaults().with("bind", "sched-1", "port", 70000, "join", List.of("a b")))
                .hasMessageContaining("bind: \"sched-1\" is not an IPv4 address")
                .hasMessageContaining("port: 70000 is not a port")
                .hasMessageContaining("join: \"a b\" is not host or host:port");
    }
}
