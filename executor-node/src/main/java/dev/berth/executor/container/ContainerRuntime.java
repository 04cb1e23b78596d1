package dev.berth.executor.container;

import dev.berth.executor.cgroup.Cgroup;
import dev.berth.executor.cgroup.CgroupLimits;
import dev.berth.executor.cgroup.Cgroups;
import dev.berth.executor.image.Image;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.PullTally;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.linux.LinuxException;
import dev.berth.executor.network.Attachment;
import dev.berth.executor.network.NodeNetwork;
import dev.berth.executor.linux.Sys;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.executor.runtime.TaskExit;
import dev.berth.executor.runtime.TaskRuntime;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.model.AllocNetwork;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task in a container of its own: rootfs from the node's image store, namespaces, a
 * cgroup with the task's limits, hardening; and removes all of it when the task ends.
 */
public final class ContainerRuntime implements TaskRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerRuntime.class);

    private final Path containersDir;
    private final ImageStore images;
    private final Cgroups cgroups;
    private final ContainerPlanner.NodeRules rules;
    private final Launcher launcher;
    private final UserRanges userRanges;
    private final LaunchSteps launchSteps = new LaunchSteps();
    private final String ioDevice;
    private final CoreAllocator cores;
    private final java.util.Map<String, Cgroup> sharing = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile NodeNetwork network;
    /** Set while the bridge network waits for a leased subnet: what to start it with. */
    private volatile dev.berth.executor.network.NetworkConfig pendingNetwork;
    private volatile Path networkState;
    private final RegistryClient registry;
    private final java.util.Map<String, Cgroup> running = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param network the node's bridge network; null: tasks in network mode bridge are refused here */
    public ContainerRuntime(Path dataDir, ImageStore images, Cgroups cgroups, ContainerPlanner.NodeRules rules, NodeNetwork network,
                            RegistryClient registry) throws IOException {
        this.network = network;
        this.registry = registry;
        this.containersDir = Files.createDirectories(dataDir.resolve("containers"));
        this.images = images;
        this.cgroups = cgroups;
        this.rules = rules;
        this.launcher = new Launcher();
        this.userRanges = new UserRanges(rules.usernsBase(), dataDir.resolve("userns.tsv")); // not in containers/: every entry there is a container
        this.ioDevice = BlockDevices.diskOf(dataDir);
        this.cores = new CoreAllocator(CoreAllocator.parse(cgroups.cpus()));
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    @Override
    public java.util.Map<String, dev.berth.executor.cgroup.CgroupUsage> usage() {
        var out = new java.util.HashMap<String, dev.berth.executor.cgroup.CgroupUsage>();
        running.forEach((id, cgroup) -> {
            try {
                out.put(id, cgroup.usage());
            } catch (IOException | RuntimeException ended) {
                // it ended between the listing and the read
            }
        });
        return out;
    }

    @Override
    public boolean ready(TaskSpec task) throws IOException {
        try {
            return images.find(task.image()).isPresent();
        } catch (IllegalArgumentException e) {
            return true; // a bad name: start() says so
        }
    }

    /** Pulls the task's image, saying "pulling image X: 1 of 3 layers, 2.1 MiB of 5.0 MiB" at each layer. */
    @Override
    public void fetch(TaskSpec task, java.util.function.Consumer<String> progress) throws TaskStartException {
        if (registry == null) throw new TaskStartException("image " + task.image() + " is not on this node, and it pulls from no registry");
        String image = task.image();
        progress.accept("pulling image " + image);
        try {
            images.pull(image, registry, new PullTally() {
                @Override
                public void resolved(String name, int n, long total, int cached) {
                    super.resolved(name, n, total, cached);
                    progress.accept("pulling image " + image + ": " + progress());
                }

                @Override
                public void layerDone(String digest, boolean cached) {
                    super.layerDone(digest, cached);
                    progress.accept("pulling image " + image + ": " + progress());
                }
            });
        } catch (IOException e) {
            throw new TaskStartException("cannot pull image " + image + ": " + e.getMessage());
        }
    }

    @Override
    public RunningTask start(String allocationId, TaskSpec task, Path allocDir) throws TaskStartException, IOException {
        Image image = images.find(task.image()).orElseThrow(() -> new TaskStartException(
                "image " + task.image() + " is not on this node (import it with: berth image import FILE --name " + task.image() + ")"));
        var layers = new ArrayList<Path>();
        for (String digest : image.layers().reversed()) layers.add(images.layerDir(digest));
        String id = allocationId;
        Path dir = containersDir.resolve(id);
        if (task.payload() != null) {
            Path payloadDir = java.nio.file.Files.createDirectories(allocDir.resolve(ContainerPlanner.PAYLOAD_DIR));
            java.nio.file.Files.write(payloadDir.resolve("payload"), java.util.Base64.getDecoder().decode(task.payload()));
        }
        NetworkMode mode = task.network().mode();
        if (mode == NetworkMode.BRIDGE && network == null) throw new TaskStartException("network mode bridge: this node has no bridge network");
        ContainerSpec spec;
        Attachment attachment = null;
        try {
            spec = ContainerPlanner.plan(id, task, image.config(), layers, ImageFiles.of(layers), dir, allocDir, rules, null,
                    network != null ? network.resolvConf() : "");
            if (rules.userns(task)) spec = spec.withUserns(userRanges.allocate(id));
            if (mode == NetworkMode.BRIDGE) { // after the planner's refusals, so that a refused task takes no address
                attachment = network.attach(id, task.network().ports());
                spec = spec.withNetwork(attachment);
            }
        } catch (IllegalArgumentException e) {
            releaseIds(id);
            throw new TaskStartException(e.getMessage());
        } catch (IOException e) {
            if (network != null) network.detach(id);
            releaseIds(id);
            throw new TaskStartException("network: " + e.getMessage());
        }
        Cgroup cgroup;
        try {
            cgroup = cgroups.create(id);
        } catch (IOException e) {
            if (network != null) network.detach(id);
            releaseIds(id);
            throw e;
        }
        try {
            cgroup.apply(CgroupLimits.of(task.resources(), ioDevice));
            assignCores(id, task.dedicatedCores(), cgroup);
            var started = launcher.launch(spec, cgroup);
            launchSteps.record(started.steps());
            var view = new AllocNetwork(mode.wire(), attachment == null ? null : attachment.ip().getHostAddress(),
                    attachment == null ? List.of() : attachment.ports());
            running.put(id, cgroup);
            return new ContainerTask(id, started, view, cgroup, () -> {
                running.remove(id);
                ended(id);
                cleanup(id, cgroup, dir);
            });
        } catch (LaunchException | IOException | TaskStartException e) {
            ended(id);
            cleanup(id, cgroup, dir);
            if (e instanceof TaskStartException tse) throw tse;
            throw new TaskStartException("container " + id + " did not start: " + e.getMessage());
        }
    }

    /**
     * Dedicated cores go to this container alone: the containers that share the rest are narrowed
     * to what is left. Berth keeps its own containers off those cores; processes outside Berth are
     * not touched.
     */
    private synchronized void assignCores(String id, int dedicated, Cgroup cgroup) throws IOException, TaskStartException {
        if (dedicated > 0) {
            var picked = cores.reserve(id, dedicated).orElseThrow(() -> new TaskStartException("cannot dedicate " + dedicated
                    + " core(s): " + (cores.shared().size() - 1) + " of " + cores.total() + " can be spared (one always stays shared)"));
            cgroup.setCpus(CoreAllocator.format(picked));
            reshare();
        } else {
            if (cores.shared().size() < cores.total()) cgroup.setCpus(CoreAllocator.format(cores.shared()));
            sharing.put(id, cgroup);
        }
    }

    private synchronized void ended(String id) {
        sharing.remove(id);
        if (cores.release(id)) reshare();
    }

    private void reshare() {
        String pool = CoreAllocator.format(cores.shared());
        for (var e : sharing.entrySet()) {
            try {
                e.getValue().setCpus(pool);
            } catch (IOException gone) {
                LOG.debug("container {}: cannot narrow its cpus (ended?): {}", e.getKey(), gone.getMessage());
            }
        }
    }

    /** Removes the cgroup once its processes are gone, the container's network attachment, and its dir. */
    void cleanup(String id, Cgroup cgroup, Path dir) {
        removeCgroupAndDir(id, cgroup, dir);
        if (network != null) network.detach(id);
        releaseIds(id);
    }

    /** The container's host id range, if it had one, is free again (its processes are gone by now). */
    private void releaseIds(String id) {
        try {
            userRanges.release(id);
        } catch (IOException e) {
            LOG.warn("container {}: cannot free its user namespace's ids: {}", id, e.getMessage());
        }
    }

    /** The step times of recent starts (benchmarks). */
    public LaunchSteps launchSteps() {
        return launchSteps;
    }

    /** Which container holds which host id range now (each its first id). */
    public java.util.Map<String, Long> userRanges() {
        return userRanges.held();
    }

    private static void removeCgroupAndDir(String id, Cgroup cgroup, Path dir) {
        boolean interrupted = Thread.interrupted(); // a stopping executor interrupts its workers: this must finish all the same
        try {
            removeCgroup(id, cgroup);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("container {}: cannot remove {}: {}", id, dir, e.getMessage());
        }
    }

    private static void removeCgroup(String id, Cgroup cgroup) {
        try {
            // The kernel lets go of exiting tasks a moment after they are reaped: poll finely, then less so.
            long self = ProcessHandle.current().pid();
            for (int i = 0; i < 600 && cgroup.processes().stream().anyMatch(p -> p != self); i++) Thread.sleep(java.time.Duration.ofNanos(i < 100 ? 200_000 : 10_000_000));
            cgroup.remove();
        } catch (IOException | InterruptedException e) {
            LOG.warn("container {}: cannot remove its cgroup: {}", id, e.getMessage());
        }
    }

    /** Removes {@code dir} and all in it; what vanishes meanwhile (another cleanup of the same dir) is no error. */
    static void deleteTree(Path dir) throws IOException {
        for (int attempt = 0; Files.exists(dir); attempt++) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof java.nio.file.NoSuchFileException) || attempt >= 3) throw e.getCause();
            }
        }
    }

    @Override
    public List<String> recover() throws IOException {
        return cleanLeftovers();
    }

    @Override
    public void close() throws IOException {
        cgroups.removeParentIfEmpty();
        if (network != null) network.close();
    }

    @Override
    public void routeTo(String selfId, java.util.List<NodeNetwork.Peer> peers) throws IOException {
        var n = network;
        if (n != null) n.routeTo(selfId, peers);
    }

    /** The bridge network starts once the schedulers lease this node a subnet ({@link #startNetwork}). */
    public void awaitLease(dev.berth.executor.network.NetworkConfig config, Path stateDir) {
        this.pendingNetwork = config;
        this.networkState = stateDir;
    }

    @Override
    public boolean needsSubnet() {
        return pendingNetwork != null && network == null;
    }

    @Override
    public String subnet() {
        var n = network;
        return n == null ? null : n.subnet().toString();
    }

    @Override
    public String previousSubnet() {
        try {
            Path f = networkState == null ? null : networkState.resolve(LEASE_FILE);
            return f != null && java.nio.file.Files.exists(f) ? java.nio.file.Files.readString(f).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    static final String LEASE_FILE = "subnet.lease";

    @Override
    public synchronized void startNetwork(String subnet) throws IOException {
        if (network != null) return;
        var started = NodeNetwork.start(pendingNetwork.withSubnet(subnet), networkState);
        started.retainOnly(java.util.Set.of()); // no container runs yet: what a dead run's leases name is free
        Path tmp = networkState.resolve(LEASE_FILE + ".tmp");
        java.nio.file.Files.writeString(tmp, subnet + "\n");
        java.nio.file.Files.move(tmp, networkState.resolve(LEASE_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        network = started;
    }

    public NodeNetwork network() {
        return network;
    }

    /** Containers left by an earlier run of the executor (it died): killed and removed; returns their ids. */
    public List<String> cleanLeftovers() throws IOException {
        var ids = new ArrayList<String>(cgroups.existing());
        try (Stream<Path> s = Files.list(containersDir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !ids.contains(n)).forEach(ids::add);
        }
        for (String id : ids) {
            Cgroup cgroup = cgroups.open(id);
            for (long pid : cgroup.processes()) {
                if (pid != ProcessHandle.current().pid()) Sys.kill(pid, Sys.SIGKILL); // a launch thread of ours may still sit there
            }
            cleanup(id, cgroup, containersDir.resolve(id));
        }
        if (network != null) network.retainOnly(java.util.Set.of()); // addresses taken by a start that died before its container existed
        userRanges.retainOnly(java.util.Set.of()); // and id ranges
        return ids;
    }

    /** A running container: PID 1 supervised through its pidfd by one waiting thread. */
    private static final class ContainerTask implements RunningTask {
        private final Launcher.Started started;
        private final AllocNetwork network;
        private final CompletableFuture<TaskExit> exit = new CompletableFuture<>();
        private boolean pidfdClosed;

        /** @param onEnd runs once PID 1 has been reaped: removes everything made for the container */
        ContainerTask(String id, Launcher.Started started, AllocNetwork network, Cgroup cgroup, Runnable onEnd) {
            this.started = started;
            this.network = network;
            Thread.ofPlatform().name("berth-wait-" + id).daemon(true).start(() -> {
                int[] status = new int[] {255, 0};
                try {
                    status = Sys.waitPidfd(started.pidfd());
                } catch (LinuxException e) {
                    LOG.warn("container {}: waiting for its end failed: {}", id, e.getMessage());
                }
                boolean oom;
                try {
                    oom = cgroup.oomKilled();
                } catch (IOException e) {
                    oom = false;
                }
                // read before the cgroup goes with the container: what the run used, for accounting
                dev.berth.model.Accounting used = null;
                try {
                    var u = cgroup.usage();
                    used = new dev.berth.model.Accounting(u.cpuNanos() / 1e9, u.memoryPeak());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("container {}: cannot read its use for accounting: {}", id, e.toString());
                }
                closePidfd();
                onEnd.run();
                exit.complete(new TaskExit(status[0], status[1] == 0 ? null : status[1], oom, used));
            });
        }

        @Override
        public long pid() {
            return started.pid();
        }

        @Override
        public AllocNetwork network() {
            return network;
        }

        @Override
        public CompletableFuture<TaskExit> exit() {
            return exit;
        }

        /** SIGTERM to PID 1; a PID 1 without a handler ignores it, so a stop ends with {@link #kill}. */
        @Override
        public void terminate() {
            signal(Sys.SIGTERM);
        }

        /** SIGKILL to PID 1 ends its whole pid namespace. */
        @Override
        public void kill() {
            signal(Sys.SIGKILL);
        }

        /** Never through a closed pidfd: its number may already belong to something else. */
        private synchronized void signal(int sig) {
            if (!pidfdClosed) Sys.pidfdSignal(started.pidfd(), sig);
        }

        private synchronized void closePidfd() {
            pidfdClosed = true;
            Sys.close(started.pidfd());
        }
    }
}
