package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlacerTest {
    static Resources res(String cpu, String memory) {
        return Resources.of(Cpu.parse(cpu), ByteSize.parse(memory));
    }

    static NodeRoom node(String id, String cpu, String memory, Resources used) {
        return new NodeRoom(id, res(cpu, memory), used);
    }

    @Test
    @DisplayName("the fullest node that still fits wins, so whole nodes stay free")
    void packsOntoTheFullestNode() {
        var empty = node("empty", "4", "8Gi", Resources.NONE);
        var half = node("half", "4", "8Gi", res("2", "4Gi"));
        assertThat(Placer.place(res("1", "1Gi"), List.of(empty, half))).isEqualTo(new Placement.Placed("half"));
    }

    @Test
    @DisplayName("a node without room for one resource is skipped with that reason")
    void reasonsAreCountedPerNode() {
        var noCpu = node("a", "1", "64Gi", res("1", "0"));
        var noMem = node("b", "8", "1Gi", Resources.NONE);
        var noMem2 = node("c", "8", "1Gi", Resources.NONE);
        var result = Placer.place(res("500m", "2Gi"), List.of(noCpu, noMem, noMem2));
        assertThat(result).isInstanceOf(Placement.Unplaced.class);
        var unplaced = (Placement.Unplaced) result;
        assertThat(unplaced.reasons()).isEqualTo(Map.of("insufficient memory", 2, "insufficient cpu", 1));
        assertThat(unplaced.explain()).isEqualTo("insufficient memory on 2 nodes; insufficient cpu on 1 node");
    }

    @Test
    @DisplayName("extended resources and pids are counted like cpu and memory")
    void extendedAndPids() {
        var gpuNode = new NodeRoom("gpu", new Resources(Cpu.parse("4"), ByteSize.parse("8Gi"), 100, IoLimits.UNLIMITED, Map.of("gpu", 2L)),
                new Resources(Cpu.ZERO, ByteSize.ZERO, 0, IoLimits.UNLIMITED, Map.of("gpu", 1L)));
        var ask1 = new Resources(Cpu.parse("1"), ByteSize.parse("1Gi"), 10, IoLimits.UNLIMITED, Map.of("gpu", 1L));
        var ask2 = new Resources(Cpu.parse("1"), ByteSize.parse("1Gi"), 10, IoLimits.UNLIMITED, Map.of("gpu", 2L));
        var manyPids = new Resources(Cpu.parse("1"), ByteSize.parse("1Gi"), 101, IoLimits.UNLIMITED, Map.of());
        assertThat(Placer.place(ask1, List.of(gpuNode))).isEqualTo(new Placement.Placed("gpu"));
        assertThat(((Placement.Unplaced) Placer.place(ask2, List.of(gpuNode))).explain()).isEqualTo("insufficient gpu on 1 node");
        assertThat(((Placement.Unplaced) Placer.place(manyPids, List.of(gpuNode))).explain()).isEqualTo("insufficient pids on 1 node");
    }

    @Test
    @DisplayName("with no ready node the answer says so")
    void noNodes() {
        assertThat(((Placement.Unplaced) Placer.place(res("1", "1Gi"), List.of())).explain()).isEqualTo("no node is ready");
    }
}
