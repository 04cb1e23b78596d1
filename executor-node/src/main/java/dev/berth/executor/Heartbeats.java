package dev.berth.executor;

import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.transport.SchedulerLink;
import dev.berth.executor.usage.HostSampler;
import dev.berth.executor.usage.UsageSampler;
import dev.berth.model.Heartbeat;
import dev.berth.model.Node;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.Resources;
import dev.berth.model.usage.NodeUsage;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Says every interval who the node is, what it offers, what it runs and what it uses now. */
final class Heartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

    private final Vertx vertx;
    private final SchedulerLink link;
    private final ExecutorConfig config;
    private final Resources capacity;
    private final TaskRuntime runtime;
    private final Supplier<List<String>> running;
    private final HostSampler host = new HostSampler();
    private final UsageSampler sampler;
    private final UsageSampler.Rates rates = new UsageSampler.Rates();
    /** What placement matches on: host networking and the node policy. */
    private final Map<String, String> attributes;
    private final String address;
    private NodeUsage latest;
    private long sequence;

    Heartbeats(Vertx vertx, SchedulerLink link, ExecutorConfig config, Resources capacity, TaskRuntime runtime, Supplier<List<String>> running) {
        this.vertx = vertx;
        this.link = link;
        this.config = config;
        this.capacity = capacity;
        this.runtime = runtime;
        this.running = running;
        this.sampler = new UsageSampler(config.nodeId());
        var a = new java.util.LinkedHashMap<String, String>();
        a.put(Node.HOST_NETWORK, String.valueOf(config.allowHostNetwork()));
        a.putAll(config.policy().attributes());
        this.attributes = Map.copyOf(a);
        // bound to 0.0.0.0, the address is found by listing the host's interfaces: once, not every second
        this.address = config.address();
    }

    void start() {
        send();
        vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> sampleThenSend());
    }

    private void send() {
        var hb = new Heartbeat(config.nodeId(), address, capacity, config.label(), attributes, running.get(), ++sequence, latest, runtime.subnet());
        link.send(Addresses.HEARTBEATS, new JsonObject(Json.write(hb)));
    }

    /** Reads the counters off the event loop, then heartbeats with them; a failed read still heartbeats. */
    private void sampleThenSend() {
        vertx.executeBlocking(() -> {
            var usage = runtime.usage();
            return sampler.nodeUsage(host.sample(), usage, rates.cores(usage, System.nanoTime()));
        }, false).onComplete(r -> {
            if (r.succeeded()) latest = r.result();
            else LOG.debug("usage sample failed: {}", r.cause().toString());
            send();
        });
    }
}
