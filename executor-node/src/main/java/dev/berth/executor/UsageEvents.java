package dev.berth.executor;

import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.usage.HostSampler;
import dev.berth.executor.usage.UsagePublisher;
import dev.berth.executor.usage.UsageSampler;
import dev.berth.executor.usage.UsageSpool;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** This node's usage events: sampled every interval, spooled on disk first and sent to Kafka from there. */
final class UsageEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageEvents.class);

    private final ExecutorConfig config;
    private final UsageSpool spool;
    private final UsagePublisher publisher;
    private final HostSampler host = new HostSampler();
    private final UsageSampler sampler;
    private final UsageSampler.Rates rates = new UsageSampler.Rates();

    private UsageEvents(ExecutorConfig config, UsageSpool spool, UsagePublisher publisher) {
        this.config = config;
        this.spool = spool;
        this.publisher = publisher;
        this.sampler = new UsageSampler(config.nodeId());
    }

    /** Null when the node has no Kafka. Blocking. */
    static UsageEvents open(ExecutorConfig config) throws IOException {
        if (config.kafka() == null) return null;
        var spool = new UsageSpool(config.dataDir().resolve("usage-spool"), config.usageSpoolBytes());
        return new UsageEvents(config, spool, new UsagePublisher(config.kafka(), "berth-usage-" + config.nodeId(), spool));
    }

    void start(Vertx vertx, TaskRuntime runtime, Clock clock, Supplier<Map<String, UsageSampler.Owner>> owners) {
        vertx.setPeriodic(config.usageInterval().toMillis(), id -> {
            var running = owners.get();
            vertx.executeBlocking(() -> {
                var usage = runtime.usage();
                var events = sampler.events(clock.instant(), host.sample(), usage, rates.cores(usage, System.nanoTime()), running);
                spool.append(events);
                publisher.nudge();
                return events.size();
            }, true).onFailure(e -> LOG.warn("usage events not spooled: {}", e.toString()));
        });
    }

    @Override
    public void close() {
        publisher.close();
    }
}
