package dev.berth.scheduler.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.net.Subnet;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubnetLeasesTest {
    static final Subnet RANGE = Subnet.parse("10.210.0.0/16");

    static Subnet leased(SubnetLeases.Result r) {
        return ((SubnetLeases.Result.Leased) r).subnet();
    }

    @Test
    @DisplayName("the first free /24, skipping what others hold, leased or configured; a node keeps what it holds")
    void firstFree() {
        assertThat(leased(SubnetLeases.lease("a", null, null, Map.of(), RANGE, 24))).hasToString("10.210.0.0/24");
        var others = Map.of("b", Subnet.parse("10.210.0.0/24"), "c", Subnet.parse("10.210.1.0/25"));
        assertThat(leased(SubnetLeases.lease("a", null, null, others, RANGE, 24))).hasToString("10.210.2.0/24");
        var held = Subnet.parse("10.210.7.0/24");
        var again = SubnetLeases.lease("a", held, Subnet.parse("10.210.9.0/24"), others, RANGE, 24);
        assertThat(leased(again)).isEqualTo(held);
        assertThat(((SubnetLeases.Result.Leased) again).fresh()).isFalse();
    }

    @Test
    @DisplayName("the block a node says it had comes back when it is free and fits the range; else it gets another")
    void previous() {
        var before = Subnet.parse("10.210.5.0/24");
        assertThat(leased(SubnetLeases.lease("a", null, before, Map.of(), RANGE, 24))).isEqualTo(before);
        assertThat(leased(SubnetLeases.lease("a", null, before, Map.of("b", before), RANGE, 24))).hasToString("10.210.0.0/24");
        assertThat(leased(SubnetLeases.lease("a", null, Subnet.parse("10.99.0.0/24"), Map.of(), RANGE, 24))).hasToString("10.210.0.0/24");
    }

    @Test
    @DisplayName("a full range is refused with the way out; a node holding the whole range (berth up's) leaves nothing to lease")
    void full() {
        var tiny = Subnet.parse("10.210.0.0/23");
        var r = SubnetLeases.lease("c", null, null, Map.of("a", Subnet.parse("10.210.0.0/24"), "b", Subnet.parse("10.210.1.0/24")), tiny, 24);
        assertThat(r).isInstanceOf(SubnetLeases.Result.Refused.class);
        assertThat(((SubnetLeases.Result.Refused) r).reason()).contains("no free /24 left for node c").contains("--container-range").contains("--subnet");
        assertThat(SubnetLeases.lease("x", null, null, Map.of("up", RANGE), RANGE, 24)).isInstanceOf(SubnetLeases.Result.Refused.class);
    }
}
