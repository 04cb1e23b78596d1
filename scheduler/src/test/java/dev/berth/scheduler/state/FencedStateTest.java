package dev.berth.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.spec.Resources;
import java.time.Instant;
import java.util.AbstractMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Leader writes are fenced by epoch, on a real (one-member) Hazelcast. */
class FencedStateTest {
    static HazelcastInstance hz;

    @BeforeAll
    static void up() {
        hz = dev.berth.scheduler.TestHazelcast.loopback("fence");
    }

    @AfterAll
    static void down() {
        hz.shutdown();
    }

    static Allocation alloc(String id) {
        return Allocation.pending(id, "job", "g", 0, "t", Resources.NONE, Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    @DisplayName("once a newer leader wrote an allocation, an older leader's write of it is refused; others' writes keep the fence")
    void olderLeaderRefused() {
        var state = new ClusterState(hz);
        state.asLeader(5).createAllocation(alloc("a1"));
        state.asLeader(6).updateAllocation("a1", a -> a.waiting("newer leader", Instant.now()));
        assertThatThrownBy(() -> state.asLeader(5).updateAllocation("a1", a -> a.waiting("old leader", Instant.now())))
                .isInstanceOf(StaleLeaderException.class).hasMessageContaining("leader epoch 5 is older");
        assertThat(state.allocation("a1").orElseThrow().reason()).isEqualTo("newer leader");
        // a node's report (not a leader's write) keeps the fence: the old leader stays refused
        state.updateAllocation("a1", a -> a.end(AllocationStatus.LOST, "node gone", Instant.now()));
        assertThat(FencedWrite.fence(hz.<String, HazelcastJsonValue>getMap("berth.allocations").get("a1"))).isEqualTo(6);
        assertThatThrownBy(() -> state.asLeader(5).updateAllocation("a1", a -> a.waiting("old leader", Instant.now())))
                .isInstanceOf(StaleLeaderException.class);
        assertThat(state.asLeader(7).updateAllocation("a1", a -> a.waiting("newest", Instant.now()))).isPresent();
    }

    @Test
    @DisplayName("the processor alone: equal or newer epochs write, older ones do not; fence 0 is not written")
    void processor() {
        var entry = new AbstractMap.SimpleEntry<String, HazelcastJsonValue>("k", null);
        assertThat(new FencedWrite(0, "{\"a\":1}").process(entry)).isTrue();
        assertThat(entry.getValue().getValue()).isEqualTo("{\"a\":1}");
        assertThat(new FencedWrite(3, "{\"a\":2}").process(entry)).isTrue();
        assertThat(entry.getValue().getValue()).isEqualTo("{\"fence\":3,\"a\":2}");
        assertThat(new FencedWrite(3, "{\"a\":3}").process(entry)).isTrue();
        assertThat(new FencedWrite(2, "{\"a\":4}").process(entry)).isFalse();
        assertThat(new FencedWrite(0, "{\"a\":5}").process(entry)).isTrue();
        assertThat(entry.getValue().getValue()).isEqualTo("{\"fence\":3,\"a\":5}");
    }
}
