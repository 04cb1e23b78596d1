package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.QueueSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Fair share, quotas, borrowing and preemption in one pass, on the real core. */
class SharedPassTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static Candidate node(String id, int millis, int usedMillis) {
        return new Candidate(id, Resources.of(Cpu.ofMillis(millis), ByteSize.mebibytes(64_000)),
                Resources.of(Cpu.ofMillis(usedMillis), ByteSize.mebibytes(usedMillis / 100 * 10)), Set.of(), Map.of(), Map.of(), true);
    }

    static FairShare.Waiting waiting(String job, String queue, int count, int millis, int priority, int ageSeconds) {
        var ask = Ask.of(job + "/g", count, Resources.of(Cpu.ofMillis(millis), ByteSize.mebibytes(10))).withPriority(priority);
        return new FairShare.Waiting(ask, job, queue, T0.minusSeconds(ageSeconds), false, true);
    }

    static List<Preemption.Running> running(String job, String queue, String node, int count, int millis, int priority, boolean preemptible) {
        var out = new ArrayList<Preemption.Running>();
        for (int i = 0; i < count; i++) {
            out.add(new Preemption.Running(job + "-" + i, job, queue, node, Resources.of(Cpu.ofMillis(millis), ByteSize.mebibytes(10)),
                    priority, preemptible, T0.minusSeconds(100 - i)));
        }
        return out;
    }

    static QueueSpec queue(String name, double weight, String cpuQuota, boolean borrow) {
        return new QueueSpec(name, weight, cpuQuota == null ? null : new QueueSpec.Quota(Cpu.parse(cpuQuota), null, Map.of()), borrow, T0);
    }

    static SharedPass.Decision run(List<Candidate> nodes, List<Preemption.Running> running, List<FairShare.Waiting> waiting, QueueSpec... queues) {
        var qs = new java.util.HashMap<String, QueueSpec>();
        for (QueueSpec q : queues) qs.put(q.name(), q);
        return SharedPass.run(new SharedPass.Input(nodes, running, waiting, qs, Map.of()));
    }

    @Test
    @DisplayName("two busy queues of weight 2 and 1 get 8 and 4 of 12 slots")
    void weightedShares() {
        var d = run(List.of(node("n1", 1200, 0)), List.of(),
                List.of(waiting("a", "qa", 20, 100, 50, 10), waiting("b", "qb", 20, 100, 50, 20)),
                queue("qa", 2, null, false), queue("qb", 1, null, false));
        assertThat(d.plan().placed().get("a/g")).hasSize(8);
        assertThat(d.plan().placed().get("b/g")).hasSize(4);
        assertThat(d.evictions()).isEmpty();
        assertThat(d.plan().failed().get("a/g").explain()).contains("fair-share order");
    }

    @Test
    @DisplayName("what a queue already holds counts: the queue holding less is served first")
    void heldCounts() {
        var d = run(List.of(node("n1", 1200, 600)), running("old", "qa", "n1", 6, 100, 50, true),
                List.of(waiting("a", "qa", 20, 100, 50, 10), waiting("b", "qb", 20, 100, 50, 20)),
                queue("qa", 1, null, false), queue("qb", 1, null, false));
        assertThat(d.plan().placed().get("b/g")).hasSize(6);
        assertThat(d.plan().placed()).doesNotContainKey("a/g");
    }

    @Test
    @DisplayName("within a queue: higher priority first, then the older job")
    void priorityThenAge() {
        var d = run(List.of(node("n1", 300, 0)), List.of(),
                List.of(waiting("young", "q", 1, 100, 50, 1), waiting("old", "q", 1, 100, 50, 100), waiting("urgent", "q", 1, 100, 55, 0),
                        waiting("late", "q", 1, 100, 50, 0)));
        assertThat(d.standings().get("urgent/g").position()).isEqualTo(1);
        assertThat(d.standings().get("old/g").position()).isEqualTo(2);
        assertThat(d.standings().get("young/g").position()).isEqualTo(3);
        assertThat(d.plan().placed()).containsOnlyKeys("urgent/g", "old/g", "young/g");
        assertThat(d.plan().failed().get("late/g").explain()).isEqualTo(FairShare.ROOM + "; insufficient cpu on 1 node");
    }

    @Test
    @DisplayName("a queue at its quota waits, with the quota in the reason, while another queue's work runs")
    void quota() {
        var d = run(List.of(node("n1", 2000, 0)), List.of(),
                List.of(waiting("a", "capped", 4, 100, 50, 10), waiting("b", "open", 4, 100, 50, 5)),
                queue("capped", 1, "200m", false));
        assertThat(d.plan().placed().get("a/g")).hasSize(2);
        assertThat(d.plan().placed().get("b/g")).hasSize(4);
        assertThat(d.plan().failed().get("a/g").explain()).isEqualTo("queue capped is at its quota (cpu 200m of 200m held)");
        assertThat(d.evictions()).isEmpty();
    }

    @Test
    @DisplayName("work 10 or more priority above preempts the fewest, lowest allocations; 9 above does not; preemptible: false is spared")
    void priorityPreemption() {
        var full = List.of(node("n1", 1000, 1000));
        var service = running("svc", "default", "n1", 10, 100, 20, true);
        var d = run(full, service, List.of(waiting("batch", "default", 1, 300, 30, 0)));
        assertThat(d.evictions()).hasSize(3).allSatisfy(e -> {
            assertThat(e.forJob()).isEqualTo("batch");
            assertThat(e.why()).isEqualTo("priority 20 is at least 10 below 30");
        });
        // the newest go first: least work lost
        assertThat(d.evictions()).extracting(e -> e.victim().id()).containsExactlyInAnyOrder("svc-9", "svc-8", "svc-7");
        assertThat(d.plan().placed().get("batch/g")).containsExactly("n1");

        assertThat(run(full, service, List.of(waiting("batch", "default", 1, 300, 29, 0))).evictions()).isEmpty();
        var pinned = running("svc", "default", "n1", 10, 100, 20, false);
        var spared = run(full, pinned, List.of(waiting("batch", "default", 1, 300, 90, 0)));
        assertThat(spared.evictions()).isEmpty();
        assertThat(spared.plan().failed().get("batch/g").count()).isEqualTo(1);
    }

    @Test
    @DisplayName("one large victim is chosen over several small ones: the fewest allocations are stopped")
    void fewestVictims() {
        var nodes = List.of(node("n1", 1000, 1000), node("n2", 1000, 1000));
        var running = new ArrayList<>(running("small", "default", "n1", 10, 100, 10, true));
        running.addAll(running("big", "default", "n2", 1, 1000, 10, true));
        var d = run(nodes, running, List.of(waiting("batch", "default", 1, 500, 50, 0)));
        assertThat(d.evictions()).extracting(e -> e.victim().id()).containsExactly("big-0");
    }

    @Test
    @DisplayName("a queue within its quota takes back room a borrowing queue holds beyond its own quota, at equal priority")
    void reclaim() {
        var full = List.of(node("n1", 1000, 1000));
        var borrowed = running("lent", "borrower", "n1", 10, 100, 50, true);
        var d = run(full, borrowed, List.of(waiting("own", "owner", 3, 100, 50, 0)),
                queue("owner", 1, "500m", false), queue("borrower", 1, "200m", true));
        assertThat(d.evictions()).hasSize(3).allSatisfy(e -> assertThat(e.why()).contains("queue borrower borrows beyond its quota"));
        assertThat(d.plan().placed().get("own/g")).hasSize(3);
        // a queue without a quota has nothing to take back
        assertThat(run(full, borrowed, List.of(waiting("own", "other", 3, 100, 50, 0)), queue("borrower", 1, "200m", true)).evictions()).isEmpty();
    }

    @Test
    @DisplayName("a borrowing queue runs beyond its quota while the room is idle")
    void borrowing() {
        var d = run(List.of(node("n1", 1000, 0)), List.of(), List.of(waiting("a", "lender", 8, 100, 50, 0)), queue("lender", 1, "200m", true));
        assertThat(d.plan().placed().get("a/g")).hasSize(8);
    }

    @Test
    @DisplayName("a gang preempts for all its instances or for none")
    void gangPreemption() {
        var nodes = List.of(node("n1", 1000, 1000));
        var gang = new FairShare.Waiting(Ask.of("mpi/g", 3, Resources.of(Cpu.ofMillis(400), ByteSize.mebibytes(10))).withPriority(90), "mpi", "default", T0, true, true);
        var low = running("low", "default", "n1", 5, 100, 10, true);
        var high = running("high", "default", "n1", 5, 100, 90, true);
        var both = new ArrayList<>(low);
        both.addAll(high);
        var d = run(nodes, both, List.of(gang));
        assertThat(d.evictions()).isEmpty();
        assertThat(d.plan().failed().get("mpi/g").count()).isEqualTo(3);
        var two = List.of(node("n1", 1200, 1200));
        var d2 = run(two, running("low", "default", "n1", 12, 100, 10, true), List.of(gang));
        assertThat(d2.evictions()).hasSize(12);
        assertThat(d2.plan().placed().get("mpi/g")).hasSize(3);
    }
}
