package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth scheduler} and {@code berth executor} refuse settings with mistakes, naming every one, before they start anything. */
class ConfigFileTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run berth(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @DisplayName("an unknown network or publish mode is refused with its key, before anything starts")
    void networkModes() throws Exception {
        var mode = berth("executor", "--network-mode", "overlay", "--node-id", "n1");
        assertThat(mode.code()).isEqualTo(1);
        assertThat(mode.err()).contains("networkMode: \"overlay\" is not host-gw or vxlan").doesNotContain("Berth executor up");
        var publish = berth("executor", "--publish-mode", "proxy", "--node-id", "n1");
        assertThat(publish.err()).contains("publishMode: \"proxy\" is not dnat or relay");
        // in a file, as the issue names it: network.mode
        var file = berth("executor", "--config", Files.writeString(dir.resolve("net.yaml"), "network:\n  mode: overlay\n  colour: blue\n").toString(), "--node-id", "n1");
        assertThat(file.err()).contains("networkMode: \"overlay\" is not host-gw or vxlan").contains("network.colour: unknown setting");
    }

    @Test
    @DisplayName("an executor.yaml with mistakes: every problem with its key, unknown keys too")
    void executorFile() throws Exception {
        Path file = Files.writeString(dir.resolve("executor.yaml"), """
                schedulers: ["10.0.0.1:4647", "10.0.0.2:nope"]
                cgroupParnet: berth-a
                cpu: lots
                bridge: docker0
                """);
        var r = berth("executor", "--config", file.toString(), "--node-id", "bad id");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("executor.yaml has")
                .contains("cgroupParnet: unknown setting (did you mean cgroupParent?)")
                .contains("cpu: \"lots\" is not")
                // in the same answer, the checks that look at the keys together
                .contains("schedulers: \"10.0.0.2:nope\" is not host or host:port")
                .contains("nodeId: \"bad id\" is not a node id")
                .doesNotContain("Berth executor up");
        var again = berth("executor", "--config", Files.writeString(dir.resolve("ok-but.yaml"), "schedulers: [\"10.0.0.2:nope\"]\nbridge: docker0\n").toString(),
                "--node-id", "bad id");
        assertThat(again.err()).contains("schedulers: \"10.0.0.2:nope\" is not host or host:port")
                .contains("nodeId: \"bad id\" is not a node id")
                .contains("bridge: \"docker0\" must contain \"berth\"");
        var policy = berth("executor", "--node-id", "n1", "--allow-caps", "SYS_WIZARD", "--max-task-memory", "lots");
        assertThat(policy.code()).isEqualTo(1);
        assertThat(policy.err()).contains("maxTaskMemory: \"lots\" is not a size");
    }

    @Test
    @DisplayName("the README's example files read as they are")
    void examples() throws Exception {
        // the files name /etc/berth/tls/…: certificates made here take their place, as flags would
        Path pki = dir.resolve("pki");
        var ca = dev.berth.cli.tls.CertificateAuthority.create(pki, java.time.Duration.ofDays(1));
        ca.issue(pki, "scheduler", "scheduler", List.of("10.0.0.1"), "scheduler", java.time.Duration.ofDays(1));
        ca.issue(pki, "executor", "w", List.of("10.0.0.11"), "executor", java.time.Duration.ofDays(1));
        var schedulerTls = java.util.Map.of("tlsCa", pki.resolve("ca.pem"), "tlsCert", pki.resolve("scheduler.pem"), "tlsKey", pki.resolve("scheduler-key.pem"));
        var scheduler = dev.berth.model.config.Settings.read(dev.berth.scheduler.SchedulerConfig.defaults(), Path.of("../examples/cluster/scheduler-1.yaml"), schedulerTls);
        assertThat(scheduler.members()).hasSize(3);
        assertThat(scheduler.effectiveCpMembers()).isEqualTo(3);
        assertThat(scheduler.aclEnabled()).as("tokens on by default beyond loopback").isTrue();
        assertThat(scheduler.memberGuardEnabled()).isTrue();
        var executorTls = java.util.Map.of("tlsCa", pki.resolve("ca.pem"), "tlsCert", pki.resolve("executor.pem"), "tlsKey", pki.resolve("executor-key.pem"));
        var executor = dev.berth.model.config.Settings.read(dev.berth.executor.ExecutorConfig.of("w", dir), Path.of("../examples/cluster/executor.yaml"), executorTls);
        assertThat(executor.schedulerAddresses()).hasSize(3);
        assertThat(executor.label()).containsEntry("zone", "a");
        assertThat(executor.resource()).containsEntry("gpu", 2L);
    }

    @Test
    @DisplayName("a flag wins over the file; a scheduler off loopback needs --insecure said out loud")
    void schedulerFlags() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler.yaml"), "bind: 10.0.0.1\nport: 8080\n");
        var r = berth("scheduler", "--config", file.toString(), "--port", "99999");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("port: 99999 is not a port").contains("insecure: binding 10.0.0.1 beyond loopback needs TLS");
    }
}
