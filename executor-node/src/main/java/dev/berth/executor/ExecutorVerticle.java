package dev.berth.executor;

import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.transport.BridgeLink;
import dev.berth.executor.transport.LocalLink;
import dev.berth.executor.transport.SchedulerLink;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent, put together from one piece per capability: the link to the schedulers (the TCP
 * bridge, or this process's bus in {@code berth up}), heartbeats, usage events, the allocations'
 * life, their logs, and the node's images. It recovers what an earlier run left before it takes any command.
 */
public final class ExecutorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorVerticle.class);
    private static final long LOG_CHECK_MS = 1000;
    /** How often a node brings its routes to other nodes' containers up to date. */
    private static final long PEERS_CHECK_MS = 2000;

    private final ExecutorConfig config;
    private final TaskRuntime runtime;
    private final Clock clock;
    private SchedulerLink link;
    private Allocations allocations;
    private UsageEvents usage;
    private AccountingEvents accounting;
    private io.vertx.core.WorkerExecutor pulls;
    private io.vertx.core.WorkerExecutor starts;
    /**
     * Container starts at once. A start mostly waits in the kernel (cgroup v1's tasks write and the cgroup
     * mutex it shares with other containers' removal), so more than the cores helps: measured with
     * {@code ./berth bench batch}, 2 threads gave 12 tasks/s, 16 gave the numbers in the README.
     */
    static final int START_THREADS = 32;
    private RunRecord runs;

    public ExecutorVerticle(ExecutorConfig config, TaskRuntime runtime, Clock clock) {
        this.config = config;
        this.runtime = runtime;
        this.clock = clock;
    }

    private record Prepared(EpochGuard epochs, UsageEvents usage, AccountingEvents accounting, List<String> leftovers,
                            dev.berth.model.spec.Resources capacity, ImageService images, RunRecord runs) {
    }

    @Override
    public Future<?> start() {
        Path allocsDir = config.dataDir().resolve("allocs");
        pulls = vertx.createSharedWorkerExecutor("berth-image-pulls-" + config.nodeId(), config.pullThreads());
        starts = vertx.createSharedWorkerExecutor("berth-container-starts-" + config.nodeId(), START_THREADS);
        return vertx.executeBlocking(() -> {
            Files.createDirectories(allocsDir);
            var epochs = EpochGuard.load(config.dataDir().resolve("leader-epoch"));
            return new Prepared(epochs, UsageEvents.open(config), AccountingEvents.open(config), runtime.recover(), config.capacity(), new ImageService(vertx, config, pulls),
                    new RunRecord(config.dataDir().resolve("runs.jsonl")));
        }).compose(p -> {
            usage = p.usage();
            accounting = p.accounting();
            runs = p.runs();
            link = config.schedulers().isEmpty() ? new LocalLink(vertx) : new BridgeLink(vertx, config.schedulerAddresses(), config.tls());
            return runtime.needsSubnet() ? leaseSubnet().map(p) : Future.succeededFuture(p);
        }).map(p -> {
            var reporter = new UpdateReporter(vertx, link);
            for (String id : p.leftovers()) {
                // The last word on it: no later update from any run of this node can follow.
                reporter.report(new AllocationUpdate(id, config.nodeId(), AllocationStatus.LOST, null, null,
                        "the executor restarted; its container was stopped and removed", Long.MAX_VALUE, clock.instant()));
                LOG.warn("allocation {}: found running after a restart of the executor; stopped and removed", id);
            }
            allocations = new Allocations(vertx, config, runtime, clock, reporter, p.epochs(), allocsDir, pulls, starts, p.runs(), p.accounting());
            var logs = new LogService(vertx, allocsDir, config);
            link.handle(Addresses.nodeRun(config.nodeId()), allocations::onRun);
            link.handle(Addresses.nodeStop(config.nodeId()), allocations::onStop);
            link.handle(Addresses.nodeLogs(config.nodeId()), logs::read);
            link.handle(Addresses.nodeImages(config.nodeId()), p.images()::handle);
            // An allocation whose end no scheduler has acknowledged is still this node's: listing it keeps the
            // scheduler from taking it for lost (and running it again) while the end is on its way.
            new Heartbeats(vertx, link, config, p.capacity(), runtime, () -> {
                var held = new java.util.LinkedHashSet<>(allocations.running());
                held.addAll(reporter.unacknowledged());
                return List.copyOf(held);
            }).start();
            if (usage != null) usage.start(vertx, runtime, clock, allocations::owners);
            routeToPeers();
            peersTimer = vertx.setPeriodic(PEERS_CHECK_MS, id -> routeToPeers());
            vertx.setPeriodic(LOG_CHECK_MS, id -> logs.rotate(allocations.running()));
            LOG.info("executor node {} started: cpu {}, memory {}, data under {}, schedulers {}", config.nodeId(),
                    p.capacity().cpu(), p.capacity().memory().human(), config.dataDir(),
                    config.schedulers().isEmpty() ? "in this process" : config.schedulers());
            return p.leftovers();
        });
    }

    /**
     * Asks the schedulers for this node's block of the container range (again every second until a
     * member answers), and starts the bridge network on it; a refusal (the range is full) fails the start.
     */
    private Future<Void> leaseSubnet() {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        tryLease(done, runtime.previousSubnet(), 0);
        return done.future();
    }

    private void tryLease(io.vertx.core.Promise<Void> done, String previous, int attempt) {
        var body = new io.vertx.core.json.JsonObject().put("nodeId", config.nodeId());
        if (previous != null) body.put("previous", previous);
        link.request(Addresses.NETWORK_LEASE, body, 5000)
                .compose(reply -> vertx.executeBlocking(() -> {
                    String subnet = ((io.vertx.core.json.JsonObject) reply).getString("subnet");
                    runtime.startNetwork(subnet);
                    LOG.info("node {} is leased subnet {}{}", config.nodeId(), subnet, subnet.equals(previous) ? " (as before)" : "");
                    return (Void) null;
                }, false))
                .onSuccess(done::complete)
                .onFailure(e -> {
                    if (e instanceof io.vertx.core.eventbus.ReplyException r && r.failureCode() == 409) {
                        done.fail(new java.io.IOException("no subnet for this node: " + r.getMessage()));
                        return;
                    }
                    if (!(e instanceof io.vertx.core.eventbus.ReplyException)) {
                        done.fail(e); // the network did not start on the leased subnet: say why
                        return;
                    }
                    if (attempt % 10 == 0) LOG.info("waiting for a scheduler member to lease this node a subnet: {}", e.getMessage());
                    vertx.setTimer(1000, t -> tryLease(done, previous, attempt + 1));
                });
    }

    private boolean routing;
    private long peersTimer = -1;

    /** Asks a scheduler member where other nodes' containers are and routes to them; one question at a time. */
    private void routeToPeers() {
        if (routing) return;
        routing = true;
        link.request(Addresses.NETWORK_PEERS, new io.vertx.core.json.JsonObject().put("nodeId", config.nodeId()), PEERS_CHECK_MS)
                .compose(reply -> {
                    var peers = new java.util.ArrayList<dev.berth.executor.network.NodeNetwork.Peer>();
                    var list = ((io.vertx.core.json.JsonObject) reply).getJsonArray("peers", new io.vertx.core.json.JsonArray());
                    for (int i = 0; i < list.size(); i++) {
                        var p = list.getJsonObject(i);
                        peers.add(new dev.berth.executor.network.NodeNetwork.Peer(p.getString("nodeId"), p.getString("address"), p.getString("subnet")));
                    }
                    return vertx.executeBlocking(() -> {
                        runtime.routeTo(config.nodeId(), peers);
                        return null;
                    }, false);
                })
                .onFailure(e -> LOG.debug("routes to other nodes not brought up to date: {}", e.toString()))
                .onComplete(x -> routing = false);
    }

    /** Every task ends (SIGTERM, then SIGKILL after the grace) and is reported lost; then the runtime closes. */
    @Override
    public Future<?> stop() {
        if (peersTimer >= 0) vertx.cancelTimer(peersTimer);
        return allocations.stopAll().eventually(() -> vertx.executeBlocking(() -> {
            if (usage != null) usage.close();
            if (accounting != null) accounting.close();
            runtime.close();
            if (runs != null) runs.close();
            return null;
        })).eventually(link::close).eventually(pulls::close).eventually(starts::close);
    }

    /** Allocations this node runs now; for tests. */
    public List<String> runningAllocations() {
        return allocations.running();
    }
}
