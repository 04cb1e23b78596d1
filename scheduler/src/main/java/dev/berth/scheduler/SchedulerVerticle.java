package dev.berth.scheduler;

import com.hazelcast.core.HazelcastInstance;
import dev.berth.scheduler.api.ApiRouter;
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
 * One scheduler member: the REST API, the node monitor and placement, all on one event loop so
 * that placement requests from the API and from the monitor fold together.
 */
public final class SchedulerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
    private static final long PLACEMENT_PERIOD_MS = 1000;
    /** How often capacity and allocation are recorded for the capacity history (usage comes with the usage events). */
    private static final long HISTORY_PERIOD_MS = 10_000;

    private final SchedulerConfig config;
    private final HazelcastInstance hazelcast;
    private final Clock clock;
    private HttpServer server;
    private StateJournal journal;
    private Leadership leadership;
    private CapacityPlanner planner;

    public SchedulerVerticle(SchedulerConfig config, HazelcastInstance hazelcast, Clock clock) {
        this.config = config;
        this.hazelcast = hazelcast;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> {
            var state = new ClusterState(hazelcast);
            if (config.stateDir() != null) {
                journal = new StateJournal(config.stateDir(), hazelcast);
                journal.restore();
                journal.start();
            }
            return state;
        }).compose(state -> {
            leadership = new Leadership(hazelcast, hazelcast.getCluster().getLocalMember().getAddress().toString()).start();
            var placement = new PlacementService(vertx, state, clock, leadership);
            vertx.eventBus().consumer(Addresses.PLACEMENT_WANTED, m -> placement.passIfLeading());
            new NodeMonitor(vertx, state, clock, config.nodeTtl(), placement::requestPass).start();
            vertx.setPeriodic(PLACEMENT_PERIOD_MS, id -> placement.passIfLeading());
            var rescheduler = new Rescheduler(state, clock);
            vertx.setPeriodic(PLACEMENT_PERIOD_MS, id -> {
                if (!leadership.leading()) return;
                vertx.executeBlocking(rescheduler::sweep, false).onSuccess(made -> {
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
            var router = ApiRouter.create(vertx, state, clock, config.maxBodyBytes(), placement, leadership, planner);
            return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host());
        }).onSuccess(s -> {
            server = s;
            LOG.info("scheduler API listening on http://{}:{}", config.host(), s.actualPort());
        }).recover(e -> Future.failedFuture(new IllegalStateException(
                "cannot start the scheduler API on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e)));
    }

    @Override
    public Future<?> stop() {
        if (leadership != null) leadership.close();
        return vertx.executeBlocking(() -> {
            if (planner != null) planner.close();
            if (journal != null) journal.close();
            return null;
        });
    }

    /** The port the API really listens on (differs from the config when it asked for port 0). */
    public int port() {
        return server.actualPort();
    }
}
