package dev.berth.executor.container;

import static dev.berth.executor.container.ContainerFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** dedicatedCores: a cpuset of its own for one container, and the others kept off it (real kernel). */
class DedicatedCoresTest extends ContainerTestBase {

    static String allowed(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow().split("\\s+")[1];
    }

    @Test
    @DisplayName("a dedicated core is the container's alone; shared containers move off it and back")
    void dedicatedCore() throws Exception {
        var all = CoreAllocator.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        assertThat(all.size()).as("this test needs two cores").isGreaterThanOrEqualTo(2);
        var shared = node.start(task("sleep", "60"));
        await().atMost(Duration.ofSeconds(5)).until(() -> allowed(shared.task().pid()).equals(CoreAllocator.format(all)));
        var dedicated = node.start(task("sleep", "60").withDedicatedCores(1));
        try {
            String mine = allowed(dedicated.task().pid());
            assertThat(CoreAllocator.parse(mine)).hasSize(1);
            var rest = new java.util.ArrayList<>(all);
            rest.removeAll(CoreAllocator.parse(mine));
            assertThat(allowed(shared.task().pid())).isEqualTo(CoreAllocator.format(rest));
            var later = node.start(task("sleep", "60"));
            assertThat(allowed(later.task().pid())).isEqualTo(CoreAllocator.format(rest));
            later.task().kill();
            later.task().exit().get(10, TimeUnit.SECONDS);
            if (all.size() == 2) {
                assertThatThrownBy(() -> node.start(task("true").withDedicatedCores(1)))
                        .hasMessageContaining("cannot dedicate 1 core(s): 0 of 2 can be spared");
            }
        } finally {
            dedicated.task().kill();
            dedicated.task().exit().get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> allowed(shared.task().pid()).equals(CoreAllocator.format(all)));
        shared.task().kill();
        shared.task().exit().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("core lists in kernel syntax")
    void coreLists() {
        assertThat(CoreAllocator.parse("0-2,5,7-8")).containsExactly(0, 1, 2, 5, 7, 8);
        assertThat(CoreAllocator.format(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2,5,7-8");
        var a = new CoreAllocator(List.of(0, 1, 2, 3));
        assertThat(a.reserve("x", 2)).contains(List.of(2, 3));
        assertThat(a.reserve("y", 2)).isEmpty();
        assertThat(a.reserve("y", 1)).contains(List.of(1));
        assertThat(a.shared()).containsExactly(0);
        assertThat(a.release("x")).isTrue();
        assertThat(a.shared()).containsExactly(0, 2, 3);
    }
}
