package dev.berth.scheduler.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.usage.UsageEvent;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import dev.berth.scheduler.placement.Candidate;
import dev.berth.scheduler.placement.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CapacityTest {
    static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
    static final double MIB = 1 << 20;

    static UsageEvent alloc(long seq, Instant at, double cpu, double memory, boolean oom) {
        var m = new HashMap<String, Double>();
        m.put("container.cpu.usage", cpu);
        m.put("container.memory.usage", memory);
        m.put("container.memory.oom_kills", oom ? 1.0 : 0.0);
        return new UsageEvent(1, "n1", seq, at, UsageEvent.ALLOCATION, "job", "g", "t", "a1", new UsageEvent.Requested(2.0, 1L << 30), m);
    }

    @Test
    @DisplayName("recommendations converge towards the measured use: cpu target near p90 + 15%, memory from peaks; they say what they rest on")
    void converges() {
        var r = new Recommender();
        var rnd = new Random(7);
        double firstTarget = 0;
        for (int i = 0; i < 2000; i++) {
            double cpu = 0.3 + rnd.nextGaussian() * 0.03; // asked for 2 cores, uses ~0.3
            r.add(alloc(i + 1, T0.plusSeconds(10L * i), cpu, 200 * MIB + rnd.nextInt(10) * MIB, false));
            if (i == 5) firstTarget = r.recommendations().getFirst().cpu().target();
        }
        var rec = r.recommendations().getFirst();
        assertThat(rec.requestedCpu()).isEqualTo(2.0);
        // p90 of N(0.3, 0.03) is 0.338; +15% = 0.389; buckets are 5% wide
        assertThat(rec.cpu().target()).isBetween(0.37, 0.43);
        assertThat(rec.cpu().lower()).isLessThan(rec.cpu().target());
        assertThat(rec.cpu().upper()).isGreaterThanOrEqualTo(rec.cpu().target());
        assertThat(Math.abs(rec.cpu().target() - 0.39)).isLessThanOrEqualTo(Math.abs(firstTarget - 0.39) + 0.02);
        assertThat(rec.memory().target()).isBetween(209 * MIB * 1.15 * 0.95, 210 * MIB * 1.15 * 1.06);
        assertThat(rec.cpuSamples()).isEqualTo(2000);
        assertThat(rec.historySeconds()).isEqualTo(19990);
        assertThat(rec.oomKilled()).isFalse();
    }

    @Test
    @DisplayName("recent use outweighs old (24 h half-life): a task that dropped from 1 core to 0.2 is advised near 0.2 after a few days")
    void decays() {
        var r = new Recommender();
        for (int i = 0; i < 1000; i++) r.add(alloc(i + 1, T0.plusSeconds(60L * i), 1.0, 100 * MIB, false));
        Instant later = T0.plus(Duration.ofDays(4));
        for (int i = 0; i < 1000; i++) r.add(alloc(2000 + i, later.plusSeconds(60L * i), 0.2, 100 * MIB, false));
        assertThat(r.recommendations().getFirst().cpu().target()).isBetween(0.2, 0.3);
    }

    @Test
    @DisplayName("after an OOM kill, memory is advised at least 1.2 × what was asked")
    void oomBump() {
        var r = new Recommender();
        r.add(alloc(1, T0, 0.1, 100 * MIB, false));
        r.add(alloc(2, T0.plusSeconds(10), 0.1, 1000 * MIB, true));
        var rec = r.recommendations().getFirst();
        assertThat(rec.oomKilled()).isTrue();
        assertThat(rec.memory().target()).isGreaterThanOrEqualTo(1.2 * (1L << 30));
    }

    @Test
    @DisplayName("an allocation's own use is kept per allocation, oldest first, at most 720 points each, for at most 10,000 allocations")
    void perAllocation() {
        var h = new UsageHistory(Duration.ofDays(1));
        for (int i = 0; i < 800; i++) {
            h.accept(new UsageEvent(1, "n1", i + 1, T0.plusSeconds(i), UsageEvent.ALLOCATION, "job", "g", "t", "a1", null,
                    Map.of("container.cpu.usage", 0.5, "container.memory.usage", 1e6 + i)));
        }
        var points = h.allocation("a1");
        assertThat(points).hasSize(UsageHistory.MAX_POINTS_PER_ALLOCATION);
        assertThat(points.getFirst()).containsExactly((double) T0.plusSeconds(80).getEpochSecond(), 0.5, 1e6 + 80);
        assertThat(points.getLast()).containsExactly((double) T0.plusSeconds(799).getEpochSecond(), 0.5, 1e6 + 799);
        assertThat(h.allocation("unknown")).isEmpty();
        for (int i = 0; i < UsageHistory.MAX_ALLOCATIONS; i++) {
            h.accept(new UsageEvent(1, "n2", i + 1, T0, UsageEvent.ALLOCATION, "job", "g", "t", "b" + i, null, Map.of("container.cpu.usage", 0.1)));
        }
        assertThat(h.allocation("a1")).as("the least recently updated allocation goes first").isEmpty();
        assertThat(h.allocation("b0")).hasSize(1);
    }

    @Test
    @DisplayName("history drops duplicates by (node, sequence) and answers per node and for the cluster")
    void historyAndDuplicates() {
        var h = new UsageHistory(Duration.ofHours(1));
        var node = new UsageEvent(1, "n1", 1, T0, UsageEvent.NODE, null, null, null, null, null, Map.of("system.cpu.usage", 1.5, "system.memory.usage", 1e9));
        assertThat(h.accept(node)).isTrue();
        assertThat(h.accept(node)).isFalse();
        assertThat(h.accept(new UsageEvent(1, "n2", 1, T0.plusSeconds(5), UsageEvent.NODE, null, null, null, null, null,
                Map.of("system.cpu.usage", 0.5, "system.memory.usage", 2e9)))).isTrue();
        assertThat(h.accepted()).isEqualTo(2);
        assertThat(h.duplicates()).isEqualTo(1);
        h.recordAllocation("n1", T0, 4, 8e9, 1.5, 2e9);
        h.recordAllocation("n2", T0, 2, 4e9, 0.5, 1e9);
        var series = h.series("cpu", Duration.ofMinutes(10), Duration.ofSeconds(60), T0.plusSeconds(30));
        assertThat((List<?>) series.get("cluster")).hasSize(1);
        assertThat(((List<?>) ((List<?>) series.get("cluster")).getFirst()).get(1)).as("used, summed").isEqualTo(2.0);
        @SuppressWarnings("unchecked")
        var allocated = (Map<String, Object>) series.get("allocated");
        assertThat(((List<?>) ((List<?>) allocated.get("cluster")).getFirst()).get(1)).isEqualTo(2.0);
        @SuppressWarnings("unchecked")
        var capacity = (Map<String, Object>) series.get("capacity");
        assertThat(((List<?>) ((List<?>) capacity.get("cluster")).getFirst()).get(1)).isEqualTo(6.0);
    }

    @Test
    @DisplayName("fit agrees with berth sim on the same state: N fit, N+1 does not, and the reason names the node")
    void fitAgreesWithSim() {
        List<Candidate> cluster = List.of(
                node("a", "4", "8Gi", "1", "2Gi"), node("b", "2", "4Gi", "0", "0"), node("c", "8", "2Gi", "0", "0"));
        JobSpec spec = spec("""
                {"name": "web", "groups": [{"name": "g", "tasks": [{"image": "x", "resources": {"cpu": "1", "memory": "1Gi"}}]}]}
                """);
        var fit = dev.berth.scheduler.api.CapacityApi.fit(cluster, spec).getFirst();
        int n = (int) fit.get("fits");
        // a: 3 cpu, 6Gi free → 3; b: 2, 4Gi → 2; c: 8 cpu, 2Gi → 2
        assertThat(n).isEqualTo(7);
        assertThat((String) fit.get("nextFails")).contains("insufficient");
        assertThat(Simulation.run(cluster, List.of(withCount(spec, n))).unplaced()).isZero();
        assertThat(Simulation.run(cluster, List.of(withCount(spec, n + 1))).unplaced()).isEqualTo(1);
    }

    static Candidate node(String id, String cpu, String mem, String usedCpu, String usedMem) {
        var cap = dev.berth.model.spec.Resources.of(Cpu.parse(cpu), ByteSize.parse(mem));
        var used = dev.berth.model.spec.Resources.of(Cpu.parse(usedCpu), ByteSize.parse(usedMem));
        return new Candidate(id, cap, used, java.util.Set.of(), Map.of(), Map.of(), true);
    }

    static JobSpec spec(String json) {
        return ((SpecResult.Valid) SpecReader.read(json, "application/json")).spec();
    }

    static JobSpec withCount(JobSpec s, int count) {
        var g = s.groups().getFirst();
        return new JobSpec(s.name(), s.type(), s.priority(), List.of(new dev.berth.model.spec.GroupSpec(g.name(), count, g.tasks(),
                g.constraints(), g.restart(), g.reschedule(), g.scoring(), 0, false)));
    }
}
