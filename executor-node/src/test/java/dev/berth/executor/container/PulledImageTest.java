package dev.berth.executor.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.executor.TestImages;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.executor.image.registry.TestRegistry;
import dev.berth.executor.runtime.TaskStartException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** An image pushed to a real registry, pulled by the runtime because a task needs it, and run. */
class PulledImageTest {
    static TestRegistry registry;
    static ContainerFixture node;

    @BeforeAll
    static void start() throws Exception {
        registry = new TestRegistry();
        node = new ContainerFixture(new RegistryClient(new RegistryConfig(Map.of(), Set.of(registry.host()), Map.of())));
        var layout = dev.berth.executor.image.registry.TestLayouts.whiteoutImage(Files.createTempDirectory(node.dataDir, "layout-"),
                TestImages.busyboxTar(Files.createDirectories(node.dataDir.resolve("bb"))));
        registry.push(layout, "v1", "berth/run", false);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) node.close();
        if (registry != null) registry.close();
    }

    @Test
    @DisplayName("a task whose image is missing pulls it (saying so), then runs it: the whiteout and the opaque dir hide what they should")
    void pullThenRun() throws Exception {
        var task = ContainerFixture.task("sh", "-c", "cat /data/hello.txt; test -e /etc/gone && echo gone-visible; ls /opt/old")
                .withImage(registry.host() + "/berth/run:v1");
        assertThat(node.runtime.ready(task)).isFalse();
        var said = new ArrayList<String>();
        node.runtime.fetch(task, said::add);
        assertThat(said.getFirst()).isEqualTo("pulling image " + registry.host() + "/berth/run:v1");
        assertThat(said.getLast()).startsWith("pulling image " + registry.host() + "/berth/run:v1: 3 of 3 layers");
        assertThat(node.runtime.ready(task)).isTrue();
        var r = node.run(task);
        assertThat(r.stdout().lines().toList()).containsExactly("hello from a registry", "c");
    }

    @Test
    @DisplayName("an image that does not exist fails the fetch with the registry's answer")
    void missing() {
        var task = ContainerFixture.task("true").withImage(registry.host() + "/berth/none:1");
        assertThatThrownBy(() -> node.runtime.fetch(task, s -> { }))
                .isInstanceOf(TaskStartException.class).hasMessageContaining("cannot pull image " + registry.host() + "/berth/none:1")
                .hasMessageContaining("404");
    }

}
