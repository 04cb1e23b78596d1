package dev.berth.scheduler;

import com.hazelcast.core.HazelcastInstance;
import dev.berth.scheduler.acl.AuditLog;
import dev.berth.scheduler.acl.Gate;
import dev.berth.scheduler.acl.Tokens;
import dev.berth.scheduler.api.ApiRouter;
import dev.berth.scheduler.bridge.ExecutorBridge;
import dev.berth.scheduler.capacity.CapacityPlanner;
import dev.berth.scheduler.nodes.NodeMonitor;
import dev.berth.scheduler.placement.PlacementService;
import dev.berth.scheduler.placement.Rescheduler;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.StateJournal;
import dev.berth.scheduler.leader.Leadership;
import dev.berth.model.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler member: the REST API, the node monitor, placement (while it leads) and the bridge
 * executors connect to, all on one event loop so that placement requests from the API and from the
 * monitor fold together.
 */
public final class SchedulerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
    /** How often the leader looks for finished jobs to remove. */
    static final long GC_PERIOD_MS = 5_000;
    private static final long PLACEMENT_PERIOD_MS = 1000;
    private static final long MAJORITY_CHECK_MS = 1000;
    /** How often capacity and allocation are recorded for the capacity history (usage comes with the usage events). */
    private static final long HISTORY_PERIOD_MS = 10_000;

    private final SchedulerConfig config;
    private final HazelcastInstance hazelcast;
    private final Clock clock;
    private HttpServer server;
    private io.vertx.ext.web.Router router;
    private StateJournal journal;
    private Leadership leadership;
    private CapacityPlanner planner;
    private ExecutorBridge bridge;
    private Tokens tokens;
    private AuditLog audit;

    public SchedulerVerticle(SchedulerConfig config, HazelcastInstance hazelcast, Clock clock) {
        this.config = config;
        this.hazelcast = hazelcast;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            awaitMajority();
            var state = new ClusterState(hazelcast);
            if (config.stateDir() != null) {
                journal = new StateJournal(config.stateDir(), hazelcast);
                journal.restore();
                journal.start();
            }
            var self = new io.vertx.core.json.JsonObject().put("member", config.advertisedAddress() + ":" + config.clusterPort())
                    .put("api", (config.tls() != null ? "https://" : "http://") + config.advertisedAddress() + ":" + config.port());
            leadership = new Leadership(hazelcast, self, clock).start();
            tokens = new Tokens(hazelcast, clock);
            if (config.stateDir() != null) audit = new AuditLog(config.stateDir().resolve("audit.jsonl"));
            return state;
        }).compose(state -> {
            var placement = new PlacementService(vertx, state, clock, leadership, config.shareHalfLife());
            vertx.eventBus().consumer(Addresses.PLACEMENT_WANTED, m -> placement.passIfLeading());
            new NodeMonitor(vertx, state, clock, config.nodeTtl(), placement::requestPass,
                    dev.berth.model.net.Subnet.parse(config.containerRange()), config.nodeSubnetPrefix()).start();
            vertx.setPeriodic(PLACEMENT_PERIOD_MS, id -> placement.passIfLeading());
            var periodic = new dev.berth.scheduler.batch.PeriodicLauncher(vertx, state, clock);
            vertx.setPeriodic(PLACEMENT_PERIOD_MS, id -> {
                if (!leadership.leading()) return;
                long epoch = leadership.epoch();
                vertx.executeBlocking(() -> periodic.sweep(epoch), false).onSuccess(made -> {
                    if (made > 0) placement.passIfLeading();
                }).onFailure(e -> LOG.warn("periodic jobs: {}", e.toString()));
            });
            var collector = new dev.berth.scheduler.batch.JobCollector(vertx, state, clock, config.jobGcAfter());
            vertx.setPeriodic(GC_PERIOD_MS, id -> {
                if (!leadership.leading()) return;
                vertx.executeBlocking(collector::sweep, false).onFailure(e -> LOG.warn("job collection: {}", e.toString()));
            });
            var rescheduler = new Rescheduler(state, clock);
            vertx.setPeriodic(PLACEMENT_PERIOD_MS, id -> {
                if (!leadership.leading()) return;
                long epoch = leadership.epoch();
                vertx.executeBlocking(() -> rescheduler.sweep(epoch), false).onSuccess(made -> {
                    if (made > 0) placement.passIfLeading();
                });
            });
            if (config.kafka() != null) {
                planner = new CapacityPlanner(config.kafka(), "berth-capacity-planner-" + hazelcast.getCluster().getLocalMember().getUuid());
                vertx.setPeriodic(HISTORY_PERIOD_MS, id -> vertx.executeBlocking(() -> {
                    planner.recordAllocation(clock.instant(), placement.snapshot());
                    return null;
                }, false));
            }
            router = ApiRouter.create(vertx, state, clock, config.maxBodyBytes(), placement, leadership, planner,
                    () -> bridge == null ? 0 : bridge.connections(), new Gate(tokens, config.aclEnabled(), audit, clock), tokens);
            var options = new io.vertx.core.http.HttpServerOptions();
            if (config.tls() != null) {
                options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                        .setCertPath(config.tls().cert().toString()).setKeyPath(config.tls().key().toString()));
            }
            return vertx.createHttpServer(options).requestHandler(router).listen(config.port(), config.bind())
                    .recover(e -> Future.failedFuture(new IllegalStateException(
                            "cannot start the scheduler API on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e)));
        }).compose(s -> {
            server = s;
            LOG.info("scheduler API listening on {}://{}:{}{}; web UI under /ui/", config.tls() != null ? "https" : "http", config.bind(), s.actualPort(),
                    config.aclEnabled() ? " (tokens on)" : " (tokens off)");
            if (config.executorPort() < 0) return Future.succeededFuture();
            return ExecutorBridge.start(vertx, config.bind(), config.executorPort(), config.tls())
                    .onSuccess(b -> {
                        bridge = b;
                        LOG.info("executors connect on {}:{}", config.bind(), config.executorPort());
                        int quorum = config.members().size() >= 3 ? config.cluster().quorum() : 1;
                        vertx.setPeriodic(MAJORITY_CHECK_MS, id -> b.serve(hazelcast.getCluster().getMembers().size() >= quorum));
                    })
                    .recover(e -> Future.failedFuture(new IllegalStateException(
                            "cannot listen for executors on " + config.bind() + ":" + config.executorPort() + ": " + e.getMessage(), e)));
        });
    }

    /**
     * With three or more members configured, the state maps refuse writes (the journal's restore among
     * them) until a majority has joined: wait for it, saying so, as long as it takes.
     */
    private void awaitMajority() throws InterruptedException {
        int quorum = config.members().size() >= 3 ? config.cluster().quorum() : 1;
        long since = System.nanoTime();
        long said = 0;
        while (hazelcast.getCluster().getMembers().size() < quorum) {
            long waited = (System.nanoTime() - since) / 1_000_000_000L;
            if (waited / 10 > said) {
                said = waited / 10;
                LOG.info("waiting for {} of {} scheduler members to join before serving ({} so far, {} s)", quorum, config.members().size(),
                        hazelcast.getCluster().getMembers().size(), waited);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public Future<?> stop() {
        if (leadership != null) leadership.close();
        if (bridge != null) bridge.close();
        return vertx.executeBlocking(() -> {
            if (planner != null) planner.close();
            if (tokens != null) tokens.close();
            if (audit != null) audit.close();
            if (journal != null) journal.close();
            return null;
        });
    }

    /** The API's routes, for tests that must cover every one of them. */
    public io.vertx.ext.web.Router router() {
        return router;
    }

    /** The port the API really listens on (differs from the config when it asked for port 0). */
    public int port() {
        return server.actualPort();
    }
}
