package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GangsTest {
    static Candidate node(String id, int millis) {
        return new Candidate(id, Resources.of(Cpu.ofMillis(millis), ByteSize.mebibytes(4096)), Resources.NONE, Set.of(), Map.of(), Map.of(), true);
    }

    static Ask ask(String key, int count, int millis) {
        return Ask.of(key, count, Resources.of(Cpu.ofMillis(millis), ByteSize.mebibytes(64)));
    }

    @Test
    @DisplayName("a gang of 3 where 2 fit places none and says so; the room it would have held goes to the next ask")
    void allOrNone() {
        var plan = Gangs.place(List.of(node("n1", 2000)), List.of(ask("mpi", 3, 800), ask("other", 2, 800)), Set.of("mpi"));
        assertThat(plan.placed()).doesNotContainKey("mpi");
        assertThat(plan.placed().get("other")).containsExactly("n1", "n1");
        assertThat(plan.failed().get("mpi").count()).isEqualTo(3);
        assertThat(plan.failed().get("mpi").explain()).contains("a gang of 3 places all or none, and 2 fit now: held back on 1 node");
    }

    @Test
    @DisplayName("a gang that fits is placed whole; without gangs the core's plan is unchanged")
    void wholeGangs() {
        var nodes = List.of(node("n1", 2000), node("n2", 2000));
        var plan = Gangs.place(nodes, List.of(ask("mpi", 4, 800)), Set.of("mpi"));
        assertThat(plan.placed().get("mpi")).hasSize(4);
        assertThat(plan.failed()).isEmpty();
        var asks = List.of(ask("a", 3, 800), ask("b", 1, 800));
        assertThat(Gangs.place(nodes, asks, Set.of())).isEqualTo(PlacementCore.place(nodes, asks));
    }
}
