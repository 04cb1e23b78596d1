package dev.berth.model.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NodePolicyTest {
    static TaskSpec task(String json) {
        var r = SpecReader.read("{\"name\": \"j\", \"groups\": [{\"tasks\": [" + json + "]}]}", "application/json");
        assertThat(r).isInstanceOf(SpecResult.Valid.class);
        return ((SpecResult.Valid) r).spec().groups().getFirst().tasks().getFirst();
    }

    static GroupSpec group(String json) {
        var r = SpecReader.read("{\"name\": \"j\", \"groups\": [{\"tasks\": [" + json + "]}]}", "application/json");
        return ((SpecResult.Valid) r).spec().groups().getFirst();
    }

    @Test
    @DisplayName("by default: Docker's 14 capabilities, no SYS_ADMIN, no unconfined, any size up to the node's")
    void defaults() {
        var p = NodePolicy.DEFAULT;
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"capAdd\": [\"NET_RAW\", \"cap_kill\"]}"))).isEmpty();
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"capAdd\": [\"SYS_ADMIN\", \"NET_ADMIN\"], \"seccomp\": \"unconfined\"}")))
                .containsExactly("capAdd SYS_ADMIN is not allowed on this node (beyond Docker's default set a node allows what --allow-caps lists)",
                        "capAdd NET_ADMIN is not allowed on this node (beyond Docker's default set a node allows what --allow-caps lists)",
                        "seccomp: unconfined is not allowed on this node (--allow-unconfined allows it)");
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"capAdd\": [\"ALL\"]}"))).hasSize(1);
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"resources\": {\"cpu\": \"64\", \"memory\": \"1Ti\"}}"))).isEmpty();
    }

    @Test
    @DisplayName("a node that lists more allows more; maxima are per task")
    void listed() {
        var p = new NodePolicy(Set.of("sys_ptrace", "CAP_NET_ADMIN"), true, Cpu.parse("2"), ByteSize.parse("1Gi"));
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"capAdd\": [\"SYS_PTRACE\", \"NET_ADMIN\"], \"seccomp\": \"unconfined\"}"))).isEmpty();
        assertThat(p.refusals(task("{\"image\": \"busybox\", \"resources\": {\"cpu\": \"3\", \"memory\": \"2Gi\"}}")))
                .containsExactly("resources.cpu 3 is more than this node allows one task (--max-task-cpu 2)",
                        "resources.memory 2Gi is more than this node allows one task (--max-task-memory 1Gi)");
        assertThat(new NodePolicy(Set.of("ALL"), false, null, null).refusals(task("{\"image\": \"busybox\", \"capAdd\": [\"ALL\", \"SYS_ADMIN\"]}"))).isEmpty();
    }

    @Test
    @DisplayName("the rules as attributes, and what a group needs of a node, as constraints placement explains")
    void attributesAndConstraints() {
        var p = new NodePolicy(Set.of("SYS_ADMIN"), false, Cpu.parse("2"), null);
        var a = p.attributes();
        assertThat(a.get(NodePolicy.CAPS)).contains("SYS_ADMIN", "CHOWN", "NET_RAW");
        assertThat(a).containsEntry(NodePolicy.UNCONFINED, "false").containsEntry(NodePolicy.MAX_TASK_CPU, "2000").doesNotContainKey(NodePolicy.MAX_TASK_MEMORY);
        var needs = NodePolicy.constraints(group("{\"name\": \"a\", \"image\": \"busybox\", \"capAdd\": [\"SYS_ADMIN\", \"CHOWN\"], \"resources\": {\"cpu\": \"1\"}},"
                + "{\"name\": \"b\", \"image\": \"busybox\", \"seccomp\": \"unconfined\", \"resources\": {\"cpu\": \"3\"}}"));
        assertThat(needs).extracting(c -> c.attribute() + " " + c.operator() + " " + c.value()).containsExactly(
                "${attr.policy.caps} set_contains SYS_ADMIN", "${attr.policy.unconfined} = true",
                "${attr.policy.max_task_millicores} >= 3000", "${attr.policy.max_task_memory_bytes} >= 134217728");
        assertThat(NodePolicy.explain(needs.get(0))).isEqualTo("node policy refuses capAdd SYS_ADMIN");
        assertThat(NodePolicy.explain(needs.get(2))).isEqualTo("node policy allows a task less cpu than 3");
        assertThat(NodePolicy.metWhenUnset(needs.get(3))).isTrue();
        assertThat(NodePolicy.metWhenUnset(needs.get(0))).isFalse();
    }
}
