package dev.berth.executor;

import dev.berth.executor.logs.LogReader;
import dev.berth.executor.logs.LogRotation;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskExit;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.executor.usage.HostSampler;
import dev.berth.executor.usage.UsagePublisher;
import dev.berth.executor.usage.UsageSampler;
import dev.berth.executor.usage.UsageSpool;
import dev.berth.model.usage.NodeUsage;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.Heartbeat;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.RestartPolicy;
import dev.berth.model.spec.TaskSpec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: heartbeats its capacity, runs the allocations it is sent, reports every status
 * change, stops allocations on request, and serves their logs. All state is confined to this
 * verticle's event loop; process starts and file reads run on worker threads.
 */
public final class ExecutorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorVerticle.class);
    private static final Pattern ALLOC_ID = Pattern.compile("[a-zA-Z0-9-]{1,64}");
    private static final long LOG_CHECK_MS = 1000;

    private final ExecutorConfig config;
    private final TaskRuntime runtime;
    private final Clock clock;
    private final Map<String, Supervised> tasks = new HashMap<>();
    private final Set<String> stoppedBeforeStart = new HashSet<>();
    /** Container starts running on worker threads now. */
    private final Set<Future<RunningTask>> starting = new HashSet<>();
    private UpdateReporter reporter;
    private long heartbeatSequence;
    private final HostSampler host = new HostSampler(), eventHost = new HostSampler();
    private final UsageSampler sampler;
    private final UsageSampler.Rates heartbeatRates = new UsageSampler.Rates(), eventRates = new UsageSampler.Rates();
    private NodeUsage latestUsage;
    private UsageSpool spool;
    private UsagePublisher publisher;
    /** The newest leader epoch seen: run commands from an older leader are refused. */
    private long highestEpoch;

    public ExecutorVerticle(ExecutorConfig config, TaskRuntime runtime, Clock clock) {
        this.config = config;
        this.runtime = runtime;
        this.clock = clock;
        this.sampler = new UsageSampler(config.nodeId());
    }

    /** One allocation on this node. {@code version} numbers the updates this node sends about it. */
    private static final class Supervised {
        final Allocation allocation;
        final TaskSpec task;
        final RestartPolicy restart;
        final java.util.ArrayDeque<java.time.Instant> restarts = new java.util.ArrayDeque<>();
        RunningTask running;
        long version;
        boolean stopRequested;
        boolean shuttingDown;
        boolean ended;

        Supervised(Allocation allocation, TaskSpec task, RestartPolicy restart) {
            this.allocation = allocation;
            this.task = task;
            this.restart = restart;
            this.version = allocation.version();
        }
    }

    @Override
    public Future<?> start() {
        reporter = new UpdateReporter(vertx);
        return vertx.executeBlocking(() -> {
            Files.createDirectories(allocsDir());
            if (config.usage().kafka() != null) {
                spool = new UsageSpool(config.dataDir().resolve("usage-spool"), config.usage().spoolBytes());
                publisher = new UsagePublisher(config.usage().kafka(), "berth-usage-" + config.nodeId(), spool);
            }
            return runtime.recover();
        }).map(leftovers -> {
            for (String id : leftovers) {
                // The last word on it: no later update from any run of this node can follow.
                reporter.report(new AllocationUpdate(id, config.nodeId(), AllocationStatus.LOST, null, null,
                        "the executor restarted; its container was stopped and removed", Long.MAX_VALUE, clock.instant()));
                LOG.warn("allocation {}: found running after a restart of the executor; stopped and removed", id);
            }
            var bus = vertx.eventBus();
            bus.<JsonObject>consumer(Addresses.nodeRun(config.nodeId()), this::onRun);
            bus.<JsonObject>consumer(Addresses.nodeStop(config.nodeId()), this::onStop);
            bus.<JsonObject>consumer(Addresses.nodeLogs(config.nodeId()), this::onLogs);
            heartbeat();
            vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> sampleThenHeartbeat());
            if (config.usage().kafka() != null) {
                vertx.setPeriodic(config.usage().interval().toMillis(), id -> publishUsage());
            }
            vertx.setPeriodic(LOG_CHECK_MS, id -> rotateLogs());
            LOG.info("executor node {} started: cpu {}, memory {}, data under {}", config.nodeId(),
                    config.capacity().cpu(), config.capacity().memory().human(), config.dataDir());
            return leftovers;
        });
    }

    /**
     * Stops every task: SIGTERM, then SIGKILL after the grace period, and waits for them to end. Their
     * allocations are reported lost, so that the scheduler knows they did not finish by themselves.
     */
    @Override
    public Future<?> stop() {
        // starts under way finish first (a start cut short would leave half a container), then everything stops
        return Future.join(new ArrayList<>(starting)).eventually(this::stopTasks);
    }

    private Future<?> stopTasks() {
        var exits = new ArrayList<Future<?>>();
        for (Supervised s : tasks.values()) {
            if (s.running == null || s.ended) continue;
            s.shuttingDown = true;
            s.running.terminate();
            long grace = Math.min(s.task.killTimeout().toMillis(), config.shutdownGrace().toMillis());
            vertx.setTimer(Math.max(1, grace), t -> s.running.kill());
            exits.add(Future.fromCompletionStage(s.running.exit()));
        }
        return Future.join(exits).eventually(() -> vertx.executeBlocking(() -> {
            if (publisher != null) publisher.close();
            runtime.close();
            return null;
        }));
    }

    private Path allocsDir() {
        return config.dataDir().resolve("allocs");
    }

    private void heartbeat() {
        var hb = new Heartbeat(config.nodeId(), config.address(), config.capacity(), config.labels(),
                Map.of(dev.berth.model.Node.HOST_NETWORK, String.valueOf(config.hostNetworkAllowed())), runningAllocations(), ++heartbeatSequence,
                latestUsage);
        vertx.eventBus().send(Addresses.HEARTBEATS, Json.write(hb));
    }

    /** Reads the counters off the event loop, then heartbeats with them; a failed read still heartbeats. */
    private void sampleThenHeartbeat() {
        vertx.executeBlocking(() -> {
            var usage = runtime.usage();
            return sampler.nodeUsage(host.sample(), usage, heartbeatRates.cores(usage, System.nanoTime()));
        }, false).onComplete(r -> {
            if (r.succeeded()) latestUsage = r.result();
            else LOG.debug("usage sample failed: {}", r.cause().toString());
            heartbeat();
        });
    }

    /** This node's usage events, spooled on disk first and sent to Kafka from there. */
    private void publishUsage() {
        var owners = new HashMap<String, UsageSampler.Owner>();
        for (Supervised s : tasks.values()) {
            if (s.ended || s.running == null) continue;
            var r = s.task.resources();
            owners.put(s.allocation.id(), new UsageSampler.Owner(s.allocation.jobId(), s.allocation.group(), s.allocation.task(),
                    r.cpu().millicores() / 1000.0, r.memory().bytes()));
        }
        vertx.executeBlocking(() -> {
            var usage = runtime.usage();
            var events = sampler.events(clock.instant(), eventHost.sample(), usage, eventRates.cores(usage, System.nanoTime()), owners);
            spool.append(events);
            publisher.nudge();
            return events.size();
        }, true).onFailure(e -> LOG.warn("usage events not spooled: {}", e.toString()));
    }

    private void onRun(Message<JsonObject> m) {
        Allocation a = Json.read(m.body().getJsonObject("allocation").encode(), Allocation.class);
        TaskSpec task = Json.read(m.body().getJsonObject("task").encode(), TaskSpec.class);
        JsonObject restartJson = m.body().getJsonObject("restart");
        RestartPolicy restart = restartJson == null ? new RestartPolicy(0, java.time.Duration.ZERO, java.time.Duration.ZERO, RestartPolicy.Mode.FAIL)
                : Json.read(restartJson.encode(), RestartPolicy.class);
        if (!ALLOC_ID.matcher(a.id()).matches()) {
            m.fail(400, "allocation id \"" + a.id() + "\" is not valid");
            return;
        }
        long epoch = m.body().getLong("epoch", 0L);
        if (epoch < highestEpoch) {
            m.fail(409, "stale leader epoch " + epoch + " (this node has seen " + highestEpoch + ")");
            return;
        }
        highestEpoch = epoch;
        m.reply("accepted");
        if (tasks.containsKey(a.id())) return;
        var s = new Supervised(a, task, restart);
        tasks.put(a.id(), s);
        if (stoppedBeforeStart.remove(a.id())) {
            s.stopRequested = true;
            end(s, AllocationStatus.COMPLETE, null, null, "stopped before it started");
            return;
        }
        launch(s);
    }

    private void launch(Supervised s) {
        Allocation a = s.allocation;
        Path dir = allocsDir().resolve(a.id());
        Future<RunningTask> launching = vertx.executeBlocking(() -> {
            Files.createDirectories(dir);
            if (!runtime.ready(s.task)) {
                // the allocation stays pending, its reason saying how the pull goes
                runtime.fetch(s.task, progress -> vertx.runOnContext(v -> {
                    if (!s.ended && s.running == null) report(s, AllocationStatus.PENDING, null, null, progress);
                }));
            }
            return runtime.start(a.id(), s.task, dir);
        }, false);
        starting.add(launching);
        launching.onComplete(r -> {
            starting.remove(launching);
            if (r.failed()) {
                Throwable e = r.cause();
                String why = e instanceof TaskStartException ? e.getMessage() : "cannot start: " + e;
                LOG.warn("allocation {} failed to start: {}", a.id(), why);
                end(s, AllocationStatus.FAILED, null, null, why);
                return;
            }
            s.running = r.result();
            report(s, AllocationStatus.RUNNING, null, null, null);
            if (s.stopRequested) beginStop(s);
            s.running.exit().whenComplete((exit, err) -> vertx.runOnContext(v -> onExit(s, exit)));
        });
    }

    private void onExit(Supervised s, TaskExit exit) {
        if (s.shuttingDown) {
            end(s, AllocationStatus.LOST, exit.code(), exit.signal(), "node " + config.nodeId() + " shut down");
        } else if (s.stopRequested) {
            end(s, AllocationStatus.COMPLETE, exit.code(), exit.signal(), "stopped by request");
        } else if (exit.success()) {
            end(s, AllocationStatus.COMPLETE, 0, null, null);
        } else {
            String why = exit.oomKilled() ? "OOM killed"
                    : exit.signal() != null ? "killed by signal " + exit.signal() : "exited with code " + exit.code();
            var restartIn = RestartDecision.next(s.restart, s.restarts, clock.instant());
            if (restartIn.isEmpty()) {
                end(s, AllocationStatus.FAILED, exit.code(), exit.signal(), why);
                return;
            }
            long delay = restartIn.get().toMillis();
            s.restarts.add(clock.instant().plusMillis(delay));
            s.running = null;
            report(s, AllocationStatus.PENDING, exit.code(), exit.signal(), "restarting in " + dev.berth.model.units.Durations.format(restartIn.get())
                    + " (restart " + s.restarts.size() + (s.restart.mode() == RestartPolicy.Mode.FAIL ? " of " + s.restart.attempts() : "")
                    + "); last run: " + why);
            vertx.setTimer(Math.max(1, delay), t -> {
                if (s.stopRequested || s.shuttingDown) end(s, AllocationStatus.COMPLETE, exit.code(), exit.signal(), "stopped by request");
                else launch(s);
            });
        }
    }

    private void onStop(Message<JsonObject> m) {
        String id = m.body().getString("allocationId");
        Supervised s = tasks.get(id);
        if (s == null) {
            stoppedBeforeStart.add(id);
        } else if (!s.ended && !s.stopRequested) {
            s.stopRequested = true;
            if (s.running != null) beginStop(s);
        }
        m.reply("stopping");
    }

    /** SIGTERM now, SIGKILL after the task's kill timeout if it is still there. */
    private void beginStop(Supervised s) {
        s.running.terminate();
        vertx.setTimer(Math.max(1, s.task.killTimeout().toMillis()), t -> {
            if (!s.ended) s.running.kill();
        });
    }

    private void rotateLogs() {
        var dirs = tasks.values().stream().filter(s -> !s.ended).map(s -> allocsDir().resolve(s.allocation.id())).toList();
        if (dirs.isEmpty()) return;
        vertx.executeBlocking(() -> {
            for (Path dir : dirs) {
                for (String stream : List.of("stdout.log", "stderr.log")) {
                    LogRotation.rotateIfLarger(dir.resolve(stream), config.logMaxBytes(), config.logFiles());
                }
            }
            return null;
        }, false).onFailure(e -> LOG.warn("log rotation failed: {}", e.getMessage()));
    }

    private void onLogs(Message<JsonObject> m) {
        String id = m.body().getString("allocationId", "");
        String stream = m.body().getString("stream", "stdout");
        if (!ALLOC_ID.matcher(id).matches() || !(stream.equals("stdout") || stream.equals("stderr"))) {
            m.fail(400, "bad log request");
            return;
        }
        long offset = m.body().getLong("offset", 0L);
        int max = Math.min(m.body().getInteger("max", 65536), 1 << 20);
        Path file = allocsDir().resolve(id).resolve(stream + ".log");
        vertx.executeBlocking(() -> {
                    long size = Files.exists(file) ? Files.size(file) : 0;
                    return new JsonObject().put("data", LogReader.read(file, offset, max)).put("size", size);
                }, false)
                .onSuccess(m::reply)
                .onFailure(e -> m.fail(500, "read " + file + ": " + e.getMessage()));
    }

    private void end(Supervised s, AllocationStatus status, Integer code, Integer signal, String reason) {
        s.ended = true;
        report(s, status, code, signal, reason);
    }

    private void report(Supervised s, AllocationStatus status, Integer code, Integer signal, String reason) {
        s.version++;
        var network = status == AllocationStatus.RUNNING && s.running != null ? s.running.network() : null;
        reporter.report(new AllocationUpdate(s.allocation.id(), config.nodeId(), status, code, signal, reason, s.version, clock.instant(), network));
    }

    /** Allocations this node runs now; for tests and the heartbeat. */
    public List<String> runningAllocations() {
        return tasks.values().stream().filter(s -> !s.ended).map(s -> s.allocation.id()).toList();
    }
}
