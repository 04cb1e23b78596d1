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
    private EmbeddedKafka kafka;
    private String executorDeployment;

    private AllInOne(ClusterMember member, SchedulerVerticle scheduler, String executorDeployment) {
        this.member = member;
        this.scheduler = scheduler;
        this.executorDeployment = executorDeployment;
    }

    /**
     * With the embedded Kafka broker under {@code kafkaDir} (started first, stopped last): the
     * executor publishes usage to it and the scheduler's capacity planner reads it.
     */
    public static AllInOne startWithKafka(java.nio.file.Path kafkaDir, ClusterSettings cluster, SchedulerConfig schedulerConfig,
                                          ExecutorConfig executorConfig, TaskRuntime runtime) throws Exception {
        var kafka = EmbeddedKafka.start(kafkaDir, 0);
        try {
            var berth = start(cluster, schedulerConfig.with("kafka", kafka.bootstrap()), executorConfig.with("kafka", kafka.bootstrap()), runtime);
            berth.kafka = kafka;
            return berth;
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    public static AllInOne start(ClusterSettings cluster, SchedulerConfig schedulerConfig, ExecutorConfig executorConfig,
                                 TaskRuntime runtime) throws Exception {
        ClusterMember member = BerthCluster.start(cluster).await(60, TimeUnit.SECONDS);
        try {
            // the executor speaks to the scheduler on this process's bus: no bridge port, no schedulers to dial
            var scheduler = new SchedulerVerticle(schedulerConfig.with("executorPort", -1), member.hazelcast(), Clock.systemUTC());
            member.vertx().deployVerticle(scheduler).await(60, TimeUnit.SECONDS);
            String executor = member.vertx().deployVerticle(new ExecutorVerticle(executorConfig.with("schedulers", java.util.List.of()), runtime, Clock.systemUTC()))
                    .await(60, TimeUnit.SECONDS);
            return new AllInOne(member, scheduler, executor);
        } catch (Exception e) {
            member.close().await(30, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * An executor restart: the executor stops (its tasks end and are reported lost, its runtime
     * closes), then a new one starts on a runtime made only now, as a new process would.
     */
    public void restartExecutor(ExecutorConfig config) throws Exception {
        member.vertx().undeploy(executorDeployment).await(60, TimeUnit.SECONDS);
        var runtime = dev.berth.executor.NodeRuntime.create(config);
        executorDeployment = member.vertx().deployVerticle(new ExecutorVerticle(config, runtime, Clock.systemUTC())).await(60, TimeUnit.SECONDS);
    }

    public int apiPort() {
        return scheduler.port();
    }

    /** This process's cluster member (benchmarks watch the state maps through it). */
    public com.hazelcast.core.HazelcastInstance hazelcast() {
        return member.hazelcast();
    }

    /** Stops the executor's tasks, the API and the cluster member; waits at most {@code timeout}. */
    public void stop(Duration timeout) throws Exception {
        try {
            member.close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (kafka != null) kafka.close();
        }
    }

    /** The embedded broker, when there is one. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    @Override
    public void close() throws Exception {
        stop(Duration.ofSeconds(30));
    }
}
