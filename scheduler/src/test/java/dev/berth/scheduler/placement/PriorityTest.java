package dev.berth.scheduler.placement;

import static dev.berth.scheduler.placement.GangsTest.ask;
import static dev.berth.scheduler.placement.GangsTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PriorityTest {
    @Test
    @DisplayName("priority holds in the core: a high-priority ask gets the room first, whether the low one spreads or is bigger")
    void priorityHolds() {
        var nodes = List.of(node("n1", 1000));
        var low = new Ask("low", 1, Resources.of(Cpu.ofMillis(800), ByteSize.mebibytes(64)), Set.of(), List.of(), true, 10);
        var high = ask("high", 2, 400).withPriority(90);
        var plan = PlacementCore.place(nodes, List.of(low, high));
        assertThat(plan.placed().get("high")).containsExactly("n1", "n1");
        assertThat(plan.failed()).containsOnlyKeys("low");
        var bigLow = ask("big", 1, 900).withPriority(10);
        var smallHigh = ask("small", 1, 300).withPriority(80);
        assertThat(PlacementCore.place(nodes, List.of(bigLow, smallHigh)).placed().get("small")).containsExactly("n1");
    }

}
