package dev.berth.cli.up;

import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.cluster.ClusterSettings;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.ExecutorVerticle;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler member and an executor node in one process on this machine: what {@code berth up}
 * runs, and what the end-to-end tests start.
 */
public final class AllInOne implements AutoCloseable {
    private final ClusterMember member;
    private final SchedulerVerticle scheduler;

    private AllInOne(ClusterMember member, SchedulerVerticle scheduler) {
        this.member = member;
        this.scheduler = scheduler;
    }

    public static AllInOne start(ClusterSettings cluster, SchedulerConfig schedulerConfig, ExecutorConfig executorConfig,
                                 TaskRuntime runtime) throws Exception {
        ClusterMember member = BerthCluster.start(cluster).await(60, TimeUnit.SECONDS);
        try {
            var scheduler = new SchedulerVerticle(schedulerConfig, member.hazelcast(), Clock.systemUTC());
            member.vertx().deployVerticle(scheduler).await(60, TimeUnit.SECONDS);
            member.vertx().deployVerticle(new ExecutorVerticle(executorConfig, runtime, Clock.systemUTC())).await(60, TimeUnit.SECONDS);
            return new AllInOne(member, scheduler);
        } catch (Exception e) {
            member.close().await(30, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int apiPort() {
        return scheduler.port();
    }

    /** Stops the executor's tasks, the API and the cluster member; waits at most {@code timeout}. */
    public void stop(Duration timeout) throws Exception {
        member.close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        stop(Duration.ofSeconds(30));
    }
}
