package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.AllocNetwork;
import dev.berth.model.Allocation;
import dev.berth.model.PortMapping;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.RestartPolicy;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.scheduler.state.StaleLeaderException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlanApplierTest {
    static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
    static final Resources HALF = Resources.of(Cpu.ofMillis(500), ByteSize.mebibytes(256));
    static final RestartPolicy NO_RESTART = new RestartPolicy(0, Duration.ZERO, Duration.ZERO, RestartPolicy.Mode.FAIL);

    static PlanApplier.Placement on(String node, String id, Integer port) {
        var a = Allocation.pending(id, "j", "g", 0, "t", HALF, T);
        var net = port == null ? null : new AllocNetwork("bridge", "10.210.0.2", List.of(new PortMapping("http", port, 80)));
        return new PlanApplier.Placement(a, node, TaskSpec.basic("t", "busybox", List.of("true"), HALF), net, NO_RESTART);
    }

    static PlanApplier.Room room(boolean takesWork, int usedMillis, Integer port) {
        return new PlanApplier.Room(takesWork, Resources.of(Cpu.ofMillis(1000), ByteSize.mebibytes(1024)),
                Resources.of(Cpu.ofMillis(usedMillis), ByteSize.ZERO), port == null ? Set.of() : Set.of(port));
    }

    @Test
    @DisplayName("at commit each placement takes its room in the plan's order; what no longer fits is refused with the reason")
    void secondLookAtCommit() {
        var plan = List.of(on("n1", "a1", null), on("n1", "a2", null), on("n1", "a3", null), on("n2", "b1", null),
                on("gone", "c1", null), on("n3", "d1", 8080), on("n3", "d2", 9090));
        var check = PlanApplier.check(plan, Map.of("n1", room(true, 0, null), "n2", room(false, 0, null), "n3", room(true, 0, 8080)));
        assertThat(check.fits()).extracting(p -> p.allocation().id()).containsExactly("a1", "a2", "d2");
        assertThat(check.refused()).containsExactly(
                Map.entry("a3", "insufficient cpu on n1 at commit"),
                Map.entry("b1", "node n2 takes no new work now"),
                Map.entry("c1", "node gone is gone"),
                Map.entry("d1", "port 8080 taken on n3 at commit"));
    }

    @Test
    @DisplayName("a node that filled meanwhile takes only what still fits")
    void filledMeanwhile() {
        var check = PlanApplier.check(List.of(on("n1", "a1", null), on("n1", "a2", null)), Map.of("n1", room(true, 600, null)));
        assertThat(check.fits()).hasSize(0);
        assertThat(check.refused()).containsOnlyKeys("a1", "a2");
        check = PlanApplier.check(List.of(on("n1", "a1", null), on("n1", "a2", null)), Map.of("n1", room(true, 500, null)));
        assertThat(check.fits()).extracting(p -> p.allocation().id()).containsExactly("a1");
    }

    @Test
    @DisplayName("a write that fails part-way costs only its own placement: the others are written and returned to be sent")
    void failedWriteLosesNothingElse() {
        var plan = List.of(on("n1", "a1", null), on("n1", "a2", null), on("n1", "a3", null), on("n1", "a4", null));
        var written = PlanApplier.commit(plan, p -> switch (p.allocation().id()) {
            case "a2" -> throw new IllegalStateException("Hazelcast: partition migrating");
            case "a3" -> Optional.empty(); // stopped meanwhile
            default -> Optional.of(p.allocation().placedOn(p.nodeId(), T));
        });
        assertThat(written).extracting(p -> p.allocation().id()).containsExactly("a1", "a4");
        assertThat(written).allSatisfy(p -> assertThat(p.allocation().nodeId()).isEqualTo("n1"));
    }

    @Test
    @DisplayName("a newer leader's fence ends the commit: nothing after it is tried")
    void staleLeaderStops() {
        var tried = new java.util.ArrayList<String>();
        var written = PlanApplier.commit(List.of(on("n1", "a1", null), on("n1", "a2", null), on("n1", "a3", null)), p -> {
            tried.add(p.allocation().id());
            if (p.allocation().id().equals("a2")) throw new StaleLeaderException("berth.allocations", "a2", 3);
            return Optional.of(p.allocation().placedOn(p.nodeId(), T));
        });
        assertThat(written).extracting(p -> p.allocation().id()).containsExactly("a1");
        assertThat(tried).containsExactly("a1", "a2");
    }
}
