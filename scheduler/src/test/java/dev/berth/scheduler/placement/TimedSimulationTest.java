package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.GroupSpec;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.JobType;
import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.model.units.Cpu;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimedSimulationTest {
    static JobSpec job(String name, String queue, String type, int priority, int count, long cpuMillis) {
        String json = """
                {"name": "%s", "queue": "%s", "type": "%s", "priority": %d, "groups": [{"name": "g", "count": %d, "tasks": [{"image": "busybox",
                 "command": ["true"], "resources": {"cpu": "%dm", "memory": "8Mi"}}]}]}""".formatted(name, queue, type, priority, count, cpuMillis);
        return ((SpecResult.Valid) SpecReader.read(json, "application/json")).spec();
    }

    static Candidate node(String id, long millis) {
        return Candidate.empty(id, dev.berth.model.spec.Resources.of(Cpu.ofMillis(millis), dev.berth.model.units.ByteSize.mebibytes(8192)), Map.of());
    }

    static QueueSpec queue(String name, double weight, String cpu, boolean borrow) {
        return new QueueSpec(name, weight, cpu == null ? null : new QueueSpec.Quota(Cpu.parse(cpu), null, Map.of()), borrow, null);
    }

    @Test
    @DisplayName("the live fair-share case: weights 2 and 1 on 12 slots get cpu-seconds 2:1 while both wait")
    void fairShare() {
        var jobs = List.of(
                new TimedSimulation.SimJob(job("a", "team-a", "batch", 50, 40, 166), Duration.ZERO, Map.of("g", Duration.ofSeconds(2))),
                new TimedSimulation.SimJob(job("b", "team-b", "batch", 50, 20, 166), Duration.ZERO, Map.of("g", Duration.ofSeconds(2))));
        var r = TimedSimulation.run(List.of(node("n1", 2000)), Map.of("team-a", queue("team-a", 2, null, false), "team-b", queue("team-b", 1, null, false)),
                jobs, TimedSimulation.Settings.defaults());
        double ratio = r.queues().get("team-a").contendedCpuSeconds() / r.queues().get("team-b").contendedCpuSeconds();
        assertThat(ratio).isBetween(1.95, 2.05);
        assertThat(r.queues().get("team-a").completed()).isEqualTo(40);
        assertThat(r.queues().get("team-b").completed()).isEqualTo(20);
        assertThat(r.unfinished()).isZero();
        // 60 runs of 2 s on 12 slots: 5 rounds, 10 s
        assertThat(r.simulatedSeconds()).isEqualTo(10.0);
        assertThat(r.meanUtilisation()).isBetween(0.99, 1.0);
    }

    @Test
    @DisplayName("a high-priority batch job preempts a low-priority service; the victims wait and run again once it ended")
    void preemption() {
        var jobs = List.of(
                new TimedSimulation.SimJob(job("svc", "default", "service", 20, 12, 166), Duration.ZERO, Map.of()),
                new TimedSimulation.SimJob(job("urgent", "default", "batch", 80, 1, 498), Duration.ofSeconds(10), Map.of("g", Duration.ofSeconds(5))));
        var r = TimedSimulation.run(List.of(node("n1", 2000)), Map.of(), jobs,
                new TimedSimulation.Settings(Duration.ofSeconds(1), Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofSeconds(30)));
        var q = r.queues().get("default");
        assertThat(q.preemptions()).isEqualTo(3);
        assertThat(q.completed()).isEqualTo(1); // the batch job; the service runs on
        assertThat(q.started()).isEqualTo(12 + 1 + 3);
        assertThat(r.unfinished()).isEqualTo(12);
        // full before, during (the batch job holds the victims' room) and after (the victims back)
        assertThat(r.utilisation()[5]).isGreaterThan(0.99);
        assertThat(r.utilisation()[12]).isGreaterThan(0.99);
        assertThat(r.utilisation()[20]).isGreaterThan(0.99);
    }

    @Test
    @DisplayName("a queue at its quota runs 2 at a time while an open queue fills the rest; with borrow it would take the idle room")
    void quota() {
        var jobs = List.of(
                new TimedSimulation.SimJob(job("capped", "capped", "batch", 50, 8, 100), Duration.ZERO, Map.of("g", Duration.ofSeconds(10))),
                new TimedSimulation.SimJob(job("open", "open", "batch", 50, 2, 100), Duration.ZERO, Map.of("g", Duration.ofSeconds(10))));
        var hard = TimedSimulation.run(List.of(node("n1", 1000)), Map.of("capped", queue("capped", 1, "200m", false)), jobs, TimedSimulation.Settings.defaults());
        assertThat(hard.simulatedSeconds()).isEqualTo(40.0);
        assertThat(hard.queues().get("capped").waitP99()).isEqualTo(30.0);
        var lent = TimedSimulation.run(List.of(node("n1", 1000)), Map.of("capped", queue("capped", 1, "200m", true)), jobs, TimedSimulation.Settings.defaults());
        assertThat(lent.simulatedSeconds()).isEqualTo(10.0); // all 10 at once: 8 capped (6 of them borrowed) and the open 2
    }
}
