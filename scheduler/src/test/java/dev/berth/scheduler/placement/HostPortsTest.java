package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.Node;
import dev.berth.model.NodeStatus;
import dev.berth.model.PortMapping;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.PortSpec;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HostPortsTest {
    @Test
    @DisplayName("static ports as asked; dynamic ones the lowest free in the range, never one the node has")
    void choose() {
        var taken = new HashSet<>(Set.of(20000, 20001, 20003));
        var net = new NetworkSpec(NetworkMode.BRIDGE, List.of(new PortSpec("web", 80, 8080), new PortSpec("a", 90, null), new PortSpec("b", 91, null)));
        var placed = HostPorts.choose(net, taken);
        assertThat(placed.ports()).containsExactly(new PortMapping("web", 8080, 80), new PortMapping("a", 20002, 90), new PortMapping("b", 20004, 91));
        assertThat(taken).contains(8080, 20002, 20004);
        var second = HostPorts.choose(new NetworkSpec(NetworkMode.BRIDGE, List.of(new PortSpec("a", 90, null))), taken);
        assertThat(second.ports().getFirst().host()).isEqualTo(20005);
        assertThat(HostPorts.resolved(net, placed).ports()).extracting(PortSpec::staticPort).containsExactly(8080, 20002, 20004);
    }

    @Test
    @DisplayName("host networking: refused at the field when no live node allows it; a constraint otherwise")
    void hostNetwork() {
        var spec = dev.berth.model.spec.SpecReader.read("""
                {"name": "h", "groups": [{"tasks": [{"name": "t1", "image": "x"}, {"name": "t2", "image": "x", "network": {"mode": "host"}}]}]}
                """, "application/json");
        var job = ((dev.berth.model.spec.SpecResult.Valid) spec).spec();
        var closed = new Node("n1", "a", NodeStatus.READY, dev.berth.model.spec.Resources.NONE, Map.of(), Map.of(Node.HOST_NETWORK, "false"), Instant.EPOCH, Instant.EPOCH, true, null, null);
        var open = new Node("n2", "a", NodeStatus.DOWN, dev.berth.model.spec.Resources.NONE, Map.of(), Map.of(Node.HOST_NETWORK, "true"), Instant.EPOCH, Instant.EPOCH, true, null, null);
        assertThat(HostNetwork.check(job, List.of(closed, open))).singleElement().satisfies(e -> assertThat(e.path()).isEqualTo("groups[0].tasks[1].network.mode"));
        assertThat(HostNetwork.check(job, List.of(closed, open.withStatus(NodeStatus.READY)))).isEmpty();
        assertThat(HostNetwork.constraints(job.groups().getFirst())).contains(HostNetwork.ALLOWED);
    }
}
