package dev.berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every playbook parses against the example inventory, and ansible-lint finds nothing in the roles. */
class PlaybookChecksTest {
    static final Path ANSIBLE = Path.of(System.getProperty("berth.root"), "ansible").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"site.yml", "rolling-upgrade.yml", "drain-node.yml", "uninstall.yml"})
    void syntaxCheck(String playbook) throws Exception {
        assertThat(ANSIBLE.resolve(playbook)).exists();
        String out = run(List.of("ansible-playbook", "--syntax-check", "-i", "inventory/example/hosts.yml", playbook));
        assertThat(out).contains("playbook: " + playbook);
    }

    @Test
    void ansibleLint() throws Exception {
        String out = run(List.of("ansible-lint", "--nocolor"));
        assertThat(out).contains("Passed");
    }

    @Test
    void everyPlaybookIsChecked() throws Exception {
        try (var files = Files.list(ANSIBLE)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml")).sorted().toList())
                    .containsExactly("drain-node.yml", "rolling-upgrade.yml", "site.yml", "uninstall.yml");
        }
    }

    /** Runs an Ansible tool in ansible/; its output, or the failure with it. */
    private static String run(List<String> command) throws Exception {
        if (!TestHosts.onPath(command.getFirst())) {
            throw new IllegalStateException(command.getFirst() + " is not installed: ./berth test installs it (apt-get install ansible ansible-lint)");
        }
        var pb = new ProcessBuilder(command).directory(ANSIBLE.toFile()).redirectErrorStream(true);
        pb.environment().put("ANSIBLE_CONFIG", ANSIBLE.resolve("ansible.cfg").toString());
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(Duration.ofMinutes(3).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
