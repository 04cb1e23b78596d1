package dev.berth.scheduler.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BridgeGuardTest {
    static JsonObject register(String address) {
        return new JsonObject().put("type", "register").put("address", address);
    }

    static JsonObject send(String address, String node) {
        return new JsonObject().put("type", "send").put("address", address).put("body", new JsonObject().put("nodeId", node));
    }

    @Test
    @DisplayName("the first node a connection names binds it: its own addresses and messages pass")
    void bindsToTheFirstNode() {
        var g = new BridgeGuard();
        assertThat(g.check(BridgeEventType.REGISTER, register(Addresses.nodeRun("n1"))).passes()).isTrue();
        assertThat(g.nodeId()).isEqualTo("n1");
        assertThat(g.check(BridgeEventType.REGISTER, register(Addresses.nodeLogs("n1"))).passes()).isTrue();
        assertThat(g.check(BridgeEventType.SEND, send(Addresses.HEARTBEATS, "n1")).passes()).isTrue();
        assertThat(g.check(BridgeEventType.SEND, send(Addresses.ALLOCATION_UPDATES, "n1")).passes()).isTrue();
    }

    @Test
    @DisplayName("a connection whose certificate names a node is that node from its first frame: it cannot bind to another first")
    void certifiedFromTheStart() {
        var g = new BridgeGuard("n1");
        assertThat(g.check(BridgeEventType.REGISTER, register(Addresses.nodeRun("n2"))).refusal())
                .isEqualTo("register berth.node.n2.alloc: this connection is node n1 (its certificate says so) and may not act as n2");
        assertThat(g.check(BridgeEventType.SEND, send(Addresses.HEARTBEATS, "n2")).passes()).isFalse();
        assertThat(g.check(BridgeEventType.SEND, send(Addresses.HEARTBEATS, "n1")).passes()).isTrue();
    }

    @Test
    @DisplayName("a bound connection may neither listen as nor speak for another node")
    void refusesAnotherNode() {
        var g = new BridgeGuard();
        g.check(BridgeEventType.SEND, send(Addresses.HEARTBEATS, "n1"));
        assertThat(g.check(BridgeEventType.REGISTER, register(Addresses.nodeStop("n2"))).refusal())
                .isEqualTo("register berth.node.n2.stop: this connection is node n1 and may not act as n2");
        assertThat(g.check(BridgeEventType.SEND, send(Addresses.ALLOCATION_UPDATES, "n2")).passes()).isFalse();
        assertThat(g.nodeId()).isEqualTo("n1");
    }

    @Test
    @DisplayName("what names no node, and publishing, are refused; replies and pings pass")
    void anonymousAndPublish() {
        var g = new BridgeGuard();
        assertThat(g.check(BridgeEventType.REGISTER, register("berth.jobs")).refusal()).isEqualTo("register berth.jobs: names no node");
        assertThat(g.check(BridgeEventType.SEND, new JsonObject().put("address", Addresses.HEARTBEATS).put("body", "text")).passes()).isFalse();
        assertThat(g.check(BridgeEventType.PUBLISH, send(Addresses.PLACEMENT_WANTED, "n1")).passes()).isFalse();
        assertThat(g.check(BridgeEventType.SOCKET_PING, new JsonObject()).passes()).isTrue();
        // a reply goes to an address the bridge handed this connection; the bridge checks it
        assertThat(g.check(BridgeEventType.SEND, new JsonObject().put("address", "8c1e-reply").put("body", "accepted")).passes()).isTrue();
        assertThat(g.nodeId()).isNull();
    }
}
