package dev.berth.scheduler.placement;

import static dev.berth.scheduler.placement.Fixtures.ask;
import static dev.berth.scheduler.placement.Fixtures.node;
import static dev.berth.scheduler.placement.Fixtures.res;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The placement core against in-memory clusters, case by case. */
class PlacementCoreTest {

    @Nested
    @DisplayName("filters")
    class Filters {
        @Test
        @DisplayName("node policy: a task adding SYS_ADMIN goes only where the node allows it, and the others say why")
        void nodePolicy() {
            var strict = node("strict", "8", "64Gi");
            var lenient = new Candidate("lenient", strict.capacity(), strict.used(), java.util.Set.of(), Map.of(),
                    new dev.berth.model.policy.NodePolicy(java.util.Set.of("SYS_ADMIN"), false, null, null).attributes(), true);
            strict = new Candidate("strict", strict.capacity(), strict.used(), java.util.Set.of(), Map.of(), dev.berth.model.policy.NodePolicy.DEFAULT.attributes(), true);
            var read = dev.berth.model.spec.SpecReader.read("{\"name\": \"j\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"capAdd\": [\"SYS_ADMIN\"]}]}]}", null);
            var job = ((dev.berth.model.spec.SpecResult.Valid) read).spec().groups().getFirst();
            var a = new Ask("j/g", 1, res("1", "1Gi"), java.util.Set.of(), HostNetwork.constraints(job), false);
            assertThat(PlacementCore.place(List.of(strict, lenient), List.of(a)).placed().get("j/g")).containsExactly("lenient");
            assertThat(PlacementCore.place(List.of(strict), List.of(a)).failed().get("j/g").explain()).isEqualTo("node policy refuses capAdd SYS_ADMIN on 1 node");
        }

        @Test
        @DisplayName("cpu: a node without the cpu is skipped with that reason")
        void cpu() {
            var plan = PlacementCore.place(List.of(node("small", "1", "64Gi"), node("big", "8", "64Gi")), List.of(ask("j/g", 1, "2", "1Gi")));
            assertThat(plan.placed().get("j/g")).containsExactly("big");
            var none = PlacementCore.place(List.of(node("small", "1", "64Gi")), List.of(ask("j/g", 1, "2", "1Gi")));
            assertThat(none.failed().get("j/g").explain()).isEqualTo("insufficient cpu on 1 node");
        }

        @Test
        @DisplayName("memory, counted with what the node already holds")
        void memory() {
            var used = Fixtures.node("n1", res("8", "8Gi"), res("1", "7Gi"));
            var plan = PlacementCore.place(List.of(used), List.of(ask("j/g", 1, "1", "2Gi")));
            assertThat(plan.failed().get("j/g").reasons()).isEqualTo(Map.of("insufficient memory", 1));
        }

        @Test
        @DisplayName("pids, where the node counts them")
        void pids() {
            var n = Fixtures.node("n1", res("8", "8Gi", 100, Map.of()), Resources.NONE);
            var plan = PlacementCore.place(List.of(n), List.of(Ask.of("j/g", 2, res("1", "1Gi", 60, Map.of()))));
            assertThat(plan.placed().get("j/g")).hasSize(1);
            assertThat(plan.failed().get("j/g").explain()).isEqualTo("insufficient pids on 1 node");
        }

        @Test
        @DisplayName("extended resources: a gpu job goes only where gpus are left")
        void extended() {
            var gpu = Fixtures.node("gpu", res("8", "8Gi", 0, Map.of("gpu", 2L)), Resources.NONE);
            var plain = node("plain", "8", "8Gi");
            var plan = PlacementCore.place(List.of(plain, gpu), List.of(Ask.of("j/g", 3, res("1", "1Gi", 0, Map.of("gpu", 1L)))));
            assertThat(plan.placed().get("j/g")).containsExactly("gpu", "gpu");
            assertThat(plan.failed().get("j/g").explain()).isEqualTo("insufficient gpu on 2 nodes");
        }

        @Test
        @DisplayName("ports: a taken static port rules a node out; two instances never share one")
        void ports() {
            var plan = PlacementCore.place(List.of(Fixtures.withPorts("a", 8080), Fixtures.withPorts("b"), Fixtures.withPorts("c")),
                    List.of(Fixtures.withPorts(ask("j/web", 3, "100m", "64Mi"), 8080)));
            assertThat(plan.placed().get("j/web")).containsExactlyInAnyOrder("b", "c");
            assertThat(plan.failed().get("j/web").explain()).isEqualTo("port 8080 taken on 3 nodes");
        }

        @Test
        @DisplayName("constraints on labels and ids")
        void constraints() {
            var nodes = List.of(Fixtures.labelled("a1", Map.of("zone", "a")), Fixtures.labelled("b1", Map.of("zone", "b")), Fixtures.labelled("x", Map.of()));
            var inZoneA = Fixtures.withConstraint(ask("j/g", 2, "100m", "64Mi"), "${node.labels.zone}", "=", "a");
            assertThat(PlacementCore.place(nodes, List.of(inZoneA)).placed().get("j/g")).containsExactly("a1", "a1");
            var notB1 = Fixtures.withConstraint(ask("j/g", 1, "100m", "64Mi"), "${node.id}", "!=", "a1");
            assertThat(PlacementCore.place(nodes, List.of(notB1)).placed().get("j/g")).doesNotContain("a1");
            var labelled = Fixtures.withConstraint(ask("j/g", 1, "100m", "64Mi"), "${node.labels.zone}", "is_set", "");
            assertThat(PlacementCore.place(List.of(nodes.get(2)), List.of(labelled)).failed().get("j/g").explain())
                    .isEqualTo("constraint ${node.labels.zone} is_set not met on 1 node");
            var regexp = Fixtures.withConstraint(ask("j/g", 1, "100m", "64Mi"), "${node.labels.zone}", "regexp", "^[ab]$");
            assertThat(PlacementCore.place(List.of(nodes.get(2), nodes.get(1)), List.of(regexp)).placed().get("j/g")).containsExactly("b1");
        }

        @Test
        @DisplayName("drain: a node that is not eligible takes no new work")
        void drain() {
            var plan = PlacementCore.place(List.of(Fixtures.draining("d"), node("ok", "4", "8Gi")), List.of(ask("j/g", 1, "1", "1Gi")));
            assertThat(plan.placed().get("j/g")).containsExactly("ok");
            var none = PlacementCore.place(List.of(Fixtures.draining("d")), List.of(ask("j/g", 1, "1", "1Gi")));
            assertThat(none.failed().get("j/g").explain()).isEqualTo("node not eligible on 1 node");
        }

        @Test
        @DisplayName("reasons are counted per reason over the nodes")
        void reasons() {
            var nodes = List.of(node("m1", "8", "1Gi"), node("m2", "8", "1Gi"), node("m3", "8", "1Gi"), Fixtures.withPorts("p", 8080));
            var plan = PlacementCore.place(nodes, List.of(Fixtures.withPorts(ask("j/g", 1, "1", "2Gi"), 8080)));
            assertThat(plan.failed().get("j/g").explain()).isEqualTo("insufficient memory on 3 nodes; port 8080 taken on 1 node");
        }
    }

    @Nested
    @DisplayName("scoring")
    class Scoring {
        @Test
        @DisplayName("binpack fills a partly used node before opening an empty one")
        void binpack() {
            var used = Fixtures.node("used", res("4", "8Gi"), res("2", "4Gi"));
            var empty = node("empty", "4", "8Gi");
            var plan = PlacementCore.place(List.of(empty, used), List.of(ask("j/g", 2, "1", "2Gi")));
            assertThat(plan.placed().get("j/g")).containsExactly("used", "used");
        }

        @Test
        @DisplayName("spread puts each instance on the least loaded node")
        void spread() {
            var nodes = List.of(node("a", "4", "8Gi"), node("b", "4", "8Gi"), node("c", "4", "8Gi"));
            var plan = PlacementCore.place(nodes, List.of(Fixtures.spread(ask("j/g", 3, "1", "1Gi"))));
            assertThat(plan.placed().get("j/g")).containsExactlyInAnyOrder("a", "b", "c");
        }
    }

    @Nested
    @DisplayName("packing a batch together")
    class Batch {
        @Test
        @DisplayName("the 11/9 instance on which first-fit-decreasing needs 11 bins packs into the optimal 9")
        void ffdWorstCase() {
            // sizes in millicores of a 1000m node: a = 1/2+e, b = 1/4+2e, c = 1/4+e, d = 1/4-2e with e = 10m
            var nodes = IntStream.range(0, 12).mapToObj(i -> node(String.format("n%02d", i), "1", "64Gi")).toList();
            var asks = List.of(ask("a", 6, "510m", "1Mi"), ask("b", 6, "270m", "1Mi"), ask("c", 6, "260m", "1Mi"), ask("d", 12, "230m", "1Mi"));
            var plan = PlacementCore.place(nodes, asks);
            assertThat(plan.unplacedCount()).isZero();
            assertThat(nodesUsed(plan)).isEqualTo(9);
        }

        @Test
        @DisplayName("complementary shapes share nodes: cpu-heavy with memory-heavy")
        void complementary() {
            var nodes = IntStream.range(0, 10).mapToObj(i -> node("n" + i, "4", "16Gi")).toList();
            var plan = PlacementCore.place(nodes, List.of(ask("cpu", 5, "3", "4Gi"), ask("mem", 5, "1", "12Gi")));
            assertThat(plan.unplacedCount()).isZero();
            assertThat(nodesUsed(plan)).isEqualTo(5);
        }

        @Test
        @DisplayName("what cannot be placed is reported with its count, the rest is placed")
        void partial() {
            var plan = PlacementCore.place(List.of(node("n", "2", "4Gi")), List.of(ask("j/g", 5, "1", "1Gi")));
            assertThat(plan.placedCount()).isEqualTo(2);
            assertThat(plan.failed().get("j/g").count()).isEqualTo(3);
            assertThat(plan.failed().get("j/g").explain()).isEqualTo("insufficient cpu on 1 node");
        }
    }

    static long nodesUsed(Plan plan) {
        var all = new ArrayList<String>();
        plan.placed().values().forEach(all::addAll);
        return all.stream().distinct().count();
    }
}
