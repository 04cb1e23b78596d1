package dev.berth.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.model.Allocation;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent above the runtime boundary, with a runtime whose image pulls hang: more pulls than the
 * shared worker pool has threads must not stop the heartbeat (a node that misses its TTL loses all
 * its work). The pulls themselves are tested for real in {@code RegistryPullTest}.
 */
class PullPoolTest {
    @TempDir
    Path dir;
    Vertx vertx;
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void down() throws Exception {
        release.countDown();
        if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
    }

    /** Every image is missing, and every pull waits until the test releases it. */
    final class HangingPulls implements TaskRuntime {
        final AtomicInteger pulling = new AtomicInteger();

        @Override
        public boolean ready(TaskSpec task) {
            return false;
        }

        @Override
        public void fetch(TaskSpec task, Consumer<String> progress) throws TaskStartException {
            pulling.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new TaskStartException("cannot pull image " + task.image() + ": the test said no");
        }

        @Override
        public RunningTask start(String allocationId, TaskSpec task, Path allocDir) throws TaskStartException {
            throw new TaskStartException("never reached");
        }
    }

    @Test
    @DisplayName("ten hanging pulls on a node whose shared pool has four threads: two pull at a time, the heartbeat goes on, all end reported")
    void pullsDoNotStarveTheHeartbeat() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(4));
        var runtime = new HangingPulls();
        var heartbeats = new AtomicInteger();
        var failed = new AtomicInteger();
        vertx.eventBus().<JsonObject>consumer(Addresses.HEARTBEATS, m -> heartbeats.incrementAndGet());
        vertx.eventBus().<JsonObject>consumer(Addresses.ALLOCATION_UPDATES, m -> {
            if (m.body().getString("status").equals("failed")) failed.incrementAndGet();
            m.reply("ok");
        });
        var config = ExecutorConfig.of("pulls", dir).with("heartbeatInterval", "100ms", "pullThreads", 2);
        vertx.deployVerticle(new ExecutorVerticle(config, runtime, Clock.systemUTC())).await(30, TimeUnit.SECONDS);

        for (int i = 0; i < 10; i++) {
            var a = Allocation.pending("pull" + i, "job", "g", i, "t", Resources.NONE, Instant.now()).placedOn("pulls", Instant.now());
            var run = new JsonObject().put("allocation", new JsonObject(Json.write(a)))
                    .put("task", new JsonObject(Json.write(TaskSpec.basic("t", "registry.example/app:" + i, List.of("true"), Resources.NONE))))
                    .put("epoch", 1L);
            vertx.eventBus().request(Addresses.nodeRun("pulls"), run).await(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> runtime.pulling.get() == 2);
        int before = heartbeats.get();
        await("heartbeats while every pull hangs").atMost(Duration.ofSeconds(5)).until(() -> heartbeats.get() >= before + 10);
        assertThat(runtime.pulling.get()).as("pulls at once: the pull pool, not the shared one").isEqualTo(2);

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> failed.get() == 10);
        assertThat(runtime.pulling.get()).isEqualTo(10);
    }
}
