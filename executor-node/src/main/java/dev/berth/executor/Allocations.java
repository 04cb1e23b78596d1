package dev.berth.executor;

import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskExit;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.executor.transport.SchedulerLink.Inbound;
import dev.berth.executor.usage.UsageSampler;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.codec.Json;
import dev.berth.model.spec.RestartPolicy;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.Durations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of each allocation on this node: run commands (fenced by the leader's epoch), image
 * pulls on a pool of their own, starts, restarts by the group's policy, stops, and the report of
 * every change. Confined to the executor's event loop; pulls, starts and file work run elsewhere.
 */
final class Allocations {
    private static final Logger LOG = LoggerFactory.getLogger(Allocations.class);

    /** Where one allocation is in its life. */
    enum Phase { STARTING, RUNNING, RESTART_WAIT, ENDED }

    /** What is wanted of it: to run, to stop at a user's request, to stop at its deadline, or to end with the node. */
    enum Intent { RUN, STOP, DEADLINE, SHUTDOWN }

    /** One allocation on this node. {@code version} numbers the updates this node sends about it. */
    private static final class Supervised {
        final Allocation allocation;
        final TaskSpec task;
        final RestartPolicy restart;
        final ArrayDeque<Instant> restarts = new ArrayDeque<>();
        Phase phase = Phase.STARTING;
        Intent intent = Intent.RUN;
        RunningTask running;
        long version;
        /** When it first ran: its deadline counts from here, across restarts. */
        Instant firstStarted;
        /** What the last run used, reported with the end. */
        dev.berth.model.Accounting accounting;

        /** The leader epoch of the run command this node obeyed, and when it did. */
        final long epoch;
        final java.time.Instant obeyed;

        Supervised(Allocation allocation, TaskSpec task, RestartPolicy restart, long epoch, java.time.Instant obeyed) {
            this.obeyed = obeyed;
            this.allocation = allocation;
            this.task = task;
            this.restart = restart;
            this.version = allocation.version();
            this.epoch = epoch;
        }
    }

    private final Vertx vertx;
    private final ExecutorConfig config;
    private final TaskRuntime runtime;
    private final Clock clock;
    private final UpdateReporter reporter;
    private final EpochGuard epochs;
    private final WorkerExecutor pulls;
    private final Path allocsDir;
    private final RunRecord runs;
    /** Null without Kafka. */
    private final AccountingEvents accounting;
    private final Map<String, Supervised> tasks = new HashMap<>();
    private final Set<String> stoppedBeforeStart = new HashSet<>();
    /** Starts running on worker threads now: a stopping node lets them finish, since a start cut short leaves half a container. */
    private final Set<Future<RunningTask>> starting = new HashSet<>();
    private final WorkerExecutor starts;

    /**
     * @param pulls  the pool image pulls run on, apart from the shared workers
     * @param starts the pool container starts run on, apart from the shared workers, which also apply the scheduler's writes on
     *               {@code berth up}
     */
    Allocations(Vertx vertx, ExecutorConfig config, TaskRuntime runtime, Clock clock, UpdateReporter reporter, EpochGuard epochs, Path allocsDir,
                WorkerExecutor pulls, WorkerExecutor starts, RunRecord runs, AccountingEvents accounting) {
        this.starts = starts;
        this.runs = runs;
        this.accounting = accounting;
        this.vertx = vertx;
        this.config = config;
        this.runtime = runtime;
        this.clock = clock;
        this.reporter = reporter;
        this.epochs = epochs;
        this.allocsDir = allocsDir;
        this.pulls = pulls;
    }

    /** Allocations this node runs now (not ended). */
    List<String> running() {
        return tasks.values().stream().filter(s -> s.phase != Phase.ENDED).map(s -> s.allocation.id()).toList();
    }

    /** What each running allocation asked for, for its usage events. */
    Map<String, UsageSampler.Owner> owners() {
        var owners = new HashMap<String, UsageSampler.Owner>();
        for (Supervised s : tasks.values()) {
            if (s.phase != Phase.RUNNING) continue;
            var r = s.task.resources();
            owners.put(s.allocation.id(), new UsageSampler.Owner(s.allocation.jobId(), s.allocation.group(), s.allocation.task(),
                    r.cpu().millicores() / 1000.0, r.memory().bytes()));
        }
        return owners;
    }

    void onRun(Inbound m) {
        Allocation a;
        TaskSpec task;
        RestartPolicy restart;
        try {
            a = Json.read(m.body().getJsonObject("allocation").encode(), Allocation.class);
            task = Json.read(m.body().getJsonObject("task").encode(), TaskSpec.class);
            JsonObject restartJson = m.body().getJsonObject("restart");
            restart = restartJson == null ? new RestartPolicy(0, Duration.ZERO, Duration.ZERO, RestartPolicy.Mode.FAIL)
                    : Json.read(restartJson.encode(), RestartPolicy.class);
        } catch (RuntimeException e) {
            m.fail(400, "not a run command: " + e.getMessage());
            return;
        }
        if (!LogService.ALLOC_ID.matcher(a.id()).matches()) {
            m.fail(400, "allocation id \"" + a.id() + "\" is not valid");
            return;
        }
        long epoch = m.body().getLong("epoch", 0L);
        String refusal = epochs.admit(epoch);
        if (refusal != null) {
            m.fail(409, refusal);
            return;
        }
        m.reply("accepted");
        if (tasks.containsKey(a.id())) return;
        var s = new Supervised(a, task, restart, epoch, clock.instant());
        tasks.put(a.id(), s);
        if (stoppedBeforeStart.remove(a.id())) {
            s.intent = Intent.STOP;
            end(s, AllocationStatus.COMPLETE, null, null, "stopped before it started");
            return;
        }
        launch(s);
    }

    void onStop(Inbound m) {
        String id = m.body().getString("allocationId", "");
        if (m.body().getBoolean("forget", false)) {
            forget(m, id);
            return;
        }
        Supervised s = tasks.get(id);
        if (s == null) {
            stoppedBeforeStart.add(id);
        } else if (s.phase != Phase.ENDED && s.intent == Intent.RUN) {
            s.intent = Intent.STOP;
            if (s.phase == Phase.RUNNING) beginStop(s, s.task.killTimeout());
        }
        m.reply("stopping");
    }

    /**
     * The scheduler removed an ended allocation (its job was collected): its dir, logs and payload
     * go too. One still running here is not touched.
     */
    private void forget(Inbound m, String id) {
        Supervised s = tasks.get(id);
        if (!LogService.ALLOC_ID.matcher(id).matches() || (s != null && s.phase != Phase.ENDED)) {
            m.fail(409, "allocation " + id + " is not ended here");
            return;
        }
        tasks.remove(id);
        vertx.executeBlocking(() -> {
            Path dir = allocsDir.resolve(id);
            if (Files.exists(dir)) {
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
            return null;
        }, false).onComplete(r -> {
            if (r.succeeded()) m.reply("forgotten");
            else m.fail(500, "cannot remove " + id + ": " + r.cause().getMessage());
        });
    }

    /**
     * Stops every task: SIGTERM, then SIGKILL after the grace period, and waits for them to end. Their
     * allocations are reported lost, so that the scheduler knows they did not finish by themselves.
     */
    Future<?> stopAll() {
        return Future.join(new ArrayList<>(starting)).eventually(() -> {
            var exits = new ArrayList<Future<?>>();
            for (Supervised s : tasks.values()) {
                if (s.phase != Phase.RUNNING) continue;
                s.intent = Intent.SHUTDOWN;
                Duration grace = s.task.killTimeout().compareTo(config.shutdownGrace()) < 0 ? s.task.killTimeout() : config.shutdownGrace();
                beginStop(s, grace);
                exits.add(Future.fromCompletionStage(s.running.exit()));
            }
            return Future.join(exits);
        });
    }

    private void launch(Supervised s) {
        Allocation a = s.allocation;
        Path dir = allocsDir.resolve(a.id());
        s.phase = Phase.STARTING;
        // a pull can take minutes: its own pool keeps the start pool free; an image that is here needs no trip through it
        Future<RunningTask> launching = starts.<Boolean>executeBlocking(() -> {
            Files.createDirectories(dir);
            return runtime.ready(s.task);
        }, false).compose(ready -> ready ? Future.succeededFuture() : pulls.<Void>executeBlocking(() -> {
            // the allocation stays pending, its reason saying how the pull goes
            runtime.fetch(s.task, progress -> vertx.runOnContext(v -> {
                if (s.phase == Phase.STARTING) report(s, AllocationStatus.PENDING, null, null, progress);
            }));
            return null;
        }, false)).compose(v -> starts.executeBlocking(() -> runtime.start(a.id(), s.task, dir), false));
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
            s.phase = Phase.RUNNING;
            if (s.firstStarted == null) {
                s.firstStarted = clock.instant();
                if (s.task.deadline() != null) vertx.setTimer(Math.max(1, s.task.deadline().toMillis()), t -> deadline(s));
            }
            runs.started(a, s.epoch, s.obeyed, clock.instant());
            report(s, AllocationStatus.RUNNING, null, null, null);
            if (s.intent != Intent.RUN) beginStop(s, s.task.killTimeout());
            s.running.exit().whenComplete((exit, err) -> vertx.runOnContext(x -> onExit(s, exit)));
        });
    }

    /**
     * Past its deadline (from its first start, Slurm's TIMEOUT): a running task is stopped as a stop
     * request would (SIGTERM, its killTimeout, SIGKILL) and fails; one waiting to restart fails now.
     */
    private void deadline(Supervised s) {
        if (s.phase == Phase.ENDED || s.intent != Intent.RUN) return;
        s.intent = Intent.DEADLINE;
        if (s.phase == Phase.RUNNING) beginStop(s, s.task.killTimeout());
        else if (s.phase == Phase.RESTART_WAIT) end(s, AllocationStatus.FAILED, null, null, deadlineReason(s));
    }

    private static String deadlineReason(Supervised s) {
        return "deadline exceeded after " + Durations.format(s.task.deadline());
    }

    private void onExit(Supervised s, TaskExit exit) {
        runs.ended(s.allocation, exit.success() ? "exited" : "failed", exit.code(), exit.signal(), clock.instant());
        s.accounting = exit.accounting();
        switch (s.intent) {
            case SHUTDOWN -> end(s, AllocationStatus.LOST, exit.code(), exit.signal(), "node " + config.nodeId() + " shut down");
            case STOP -> end(s, AllocationStatus.COMPLETE, exit.code(), exit.signal(), "stopped by request");
            case DEADLINE -> end(s, AllocationStatus.FAILED, exit.code(), exit.signal(), deadlineReason(s));
            case RUN -> {
                if (exit.success()) end(s, AllocationStatus.COMPLETE, 0, null, null);
                else restartOrFail(s, exit);
            }
        }
    }

    private void restartOrFail(Supervised s, TaskExit exit) {
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
        s.phase = Phase.RESTART_WAIT;
        report(s, AllocationStatus.PENDING, exit.code(), exit.signal(), "restarting in " + Durations.format(restartIn.get())
                + " (restart " + s.restarts.size() + (s.restart.mode() == RestartPolicy.Mode.FAIL ? " of " + s.restart.attempts() : "")
                + "); last run: " + why);
        vertx.setTimer(Math.max(1, delay), t -> {
            if (s.phase == Phase.ENDED) return; // its deadline came first
            if (s.intent != Intent.RUN) end(s, AllocationStatus.COMPLETE, exit.code(), exit.signal(), "stopped by request");
            else launch(s);
        });
    }

    /** SIGTERM now, SIGKILL after {@code grace} if it is still there. */
    private void beginStop(Supervised s, Duration grace) {
        RunningTask task = s.running;
        task.terminate();
        vertx.setTimer(Math.max(1, grace.toMillis()), t -> {
            if (s.phase != Phase.ENDED && s.running == task) task.kill();
        });
    }

    private void end(Supervised s, AllocationStatus status, Integer code, Integer signal, String reason) {
        s.phase = Phase.ENDED;
        report(s, status, code, signal, reason);
        if (accounting != null) {
            Instant started = s.firstStarted, finished = clock.instant();
            dev.berth.model.Accounting used = s.accounting;
            vertx.executeBlocking(() -> {
                accounting.ended(s.allocation, status, code, signal, reason, started, finished, used);
                return null;
            }, false);
        }
    }

    private void report(Supervised s, AllocationStatus status, Integer code, Integer signal, String reason) {
        s.version++;
        var network = status == AllocationStatus.RUNNING && s.running != null ? s.running.network() : null;
        var used = status.terminal() ? s.accounting : null;
        reporter.report(new AllocationUpdate(s.allocation.id(), config.nodeId(), status, code, signal, reason, s.version, clock.instant(), network, used));
    }
}
