package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.model.policy.NodePolicy;
import dev.berth.model.spec.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor refuses what its policy does not allow, whoever placed the task there, naming the rule. */
class NodePolicyRuntimeTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a node's policy from its settings: refusals name the rule; unknown capabilities in the settings are named")
    void planRefuses() throws Exception {
        var config = ExecutorConfig.of("p", dir).with("allowCaps", List.of("SYS_PTRACE"), "maxTaskMemory", "512Mi");
        assertThat(config.policy().allowed()).contains("SYS_PTRACE", "CHOWN").doesNotContain("SYS_ADMIN");
        assertThatThrownBy(() -> ExecutorConfig.of("p", dir).with("allowCaps", List.of("SYS_WIZARD"))).hasMessageContaining("allowCaps");

        try (var node = new ContainerFixture()) {
            var strict = new ContainerPlanner.NodeRules(List.of(), false, config.policy());
            TaskSpec admin = ContainerFixture.task("true").withCapabilities(List.of("SYS_ADMIN"), List.of());
            assertThatThrownBy(() -> ContainerPlanner.plan("x1", admin, node.images.find("busybox:test").orElseThrow().config(),
                    List.of(), ImageFiles.of(List.of()), dir, dir, strict, null, null)).hasMessageContaining("capAdd SYS_ADMIN is not allowed on this node");
            // through the runtime the fixture runs (unconfined allowed), a SYS_ADMIN task is still refused at start
            assertThatThrownBy(() -> node.start(admin)).isInstanceOf(TaskStartException.class).hasMessageContaining("capAdd SYS_ADMIN is not allowed");
            // and what the policy allows runs
            var ptrace = new NodePolicy(Set.of("SYS_PTRACE"), true, null, null);
            assertThat(ptrace.refusals(ContainerFixture.task("true").withCapabilities(List.of("SYS_PTRACE"), List.of()))).isEmpty();
            var result = node.run(ContainerFixture.task("true").withCapabilities(List.of("NET_RAW"), List.of()));
            assertThat(result.exit().success()).isTrue();
        }
    }
}
