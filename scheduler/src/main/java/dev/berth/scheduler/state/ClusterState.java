package dev.berth.scheduler.state;

import com.hazelcast.config.IndexType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationStatus;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.Job;
import dev.berth.model.Node;
import dev.berth.model.codec.Json;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Jobs, allocations, nodes and evaluations in Hazelcast maps, shared by every scheduler member and
 * kept with one backup. Values are JSON so that Hazelcast can query fields (jobId, nodeId, status)
 * without Java serialisation of our records. Every method blocks: call it from a worker thread.
 */
public final class ClusterState {
    public static final String QUEUES_MAP = "berth.queues";
    public static final String SUBNETS_MAP = "berth.subnets";
    private static final List<String> ACTIVE = List.of(AllocationStatus.PENDING.wire(), AllocationStatus.RUNNING.wire());

    private final IMap<String, HazelcastJsonValue> jobs;
    private final IMap<String, HazelcastJsonValue> allocations;
    private final IMap<String, HazelcastJsonValue> nodes;
    private final IMap<String, HazelcastJsonValue> evaluations;
    /** Dispatch idempotency tokens (parent/token → child id), each kept a day. */
    private final IMap<String, String> dispatches;
    /** Queues by name, as {@code PUT /v1/queues/{name}} set them (journaled). */
    private final IMap<String, HazelcastJsonValue> queues;
    /** Each queue's decayed recent usage, kept by the leader's passes (not journaled: it is history, rebuilt by running). */
    private final IMap<String, HazelcastJsonValue> queueUsage;
    /** Nodes' blocks of the container range, leased once per node and kept across restarts (journaled). */
    private final IMap<String, HazelcastJsonValue> subnets;
    /** The leader's fencing epoch for this view's writes; 0 for writes that are not the leader's. */
    private final long epoch;

    public ClusterState(HazelcastInstance hz) {
        jobs = hz.getMap("berth.jobs");
        allocations = hz.getMap("berth.allocations");
        nodes = hz.getMap("berth.nodes");
        evaluations = hz.getMap("berth.evaluations");
        dispatches = hz.getMap("berth.dispatch.tokens");
        queues = hz.getMap(QUEUES_MAP);
        queueUsage = hz.getMap("berth.queue.usage");
        subnets = hz.getMap(SUBNETS_MAP);
        allocations.addIndex(IndexType.HASH, "jobId");
        allocations.addIndex(IndexType.HASH, "nodeId");
        allocations.addIndex(IndexType.HASH, "status");
        epoch = 0;
    }

    private ClusterState(ClusterState base, long epoch) {
        jobs = base.jobs;
        allocations = base.allocations;
        nodes = base.nodes;
        evaluations = base.evaluations;
        dispatches = base.dispatches;
        queues = base.queues;
        queueUsage = base.queueUsage;
        subnets = base.subnets;
        this.epoch = epoch;
    }

    /**
     * The state as the leader of {@code epoch} writes it: every write of jobs, allocations and
     * evaluations is refused with {@link StaleLeaderException} once a newer leader wrote that entry.
     */
    public ClusterState asLeader(long epoch) {
        if (epoch <= 0) throw new IllegalArgumentException("a leader's epoch is positive, not " + epoch);
        return new ClusterState(this, epoch);
    }

    // --- jobs

    /** Stores a new job with its first allocations in one go, allocations first so a reader of the job sees them. */
    public void createJob(Job job, List<Allocation> allocs, Evaluation eval) {
        write(evaluations, eval.id(), eval);
        createAllocations(allocs);
        write(jobs, job.id(), job);
    }

    /**
     * New allocations in one batched put (a round trip per member that owns some of them) rather
     * than a fenced write each: their ids are fresh, so no newer leader can have written them and
     * the fence check has nothing to refuse; the value is what the fenced write would store. A
     * 1,000-task job was 1,000 round trips before.
     */
    private void createAllocations(List<Allocation> allocs) {
        var batch = new java.util.HashMap<String, HazelcastJsonValue>();
        for (var a : allocs) batch.put(a.id(), new HazelcastJsonValue(FencedWrite.withFence(Json.write(a), epoch)));
        allocations.putAll(batch);
    }

    public Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id)).map(v -> read(v, Job.class));
    }

    public List<Job> jobs() {
        return jobs.values().stream().map(v -> read(v, Job.class))
                .sorted(Comparator.comparing(Job::submittedAt).reversed()).toList();
    }

    public void putJob(Job job) {
        write(jobs, job.id(), job);
    }

    /** Jobs with a schedule that is on (so the leader's clock reads these, not every job). */
    public List<Job> periodicJobs() {
        return jobs(Predicates.equal("spec.periodic.enabled", true));
    }

    /** The runs and dispatches of one job, oldest first. */
    public List<Job> childrenOf(String parentId) {
        return jobs(Predicates.equal("parent", parentId)).reversed();
    }

    /**
     * Jobs submitted before {@code t}, the only ones that can have ended before it. Compared as ISO
     * text, which orders instants to within their fractions of a second.
     */
    public List<Job> submittedBefore(java.time.Instant t) {
        return jobs(Predicates.lessThan("submittedAt", t.toString()));
    }

    private List<Job> jobs(Predicate<String, HazelcastJsonValue> p) {
        return jobs.values(p).stream().map(v -> read(v, Job.class)).sorted(Comparator.comparing(Job::submittedAt).reversed()).toList();
    }

    /**
     * Removes a finished job with its allocations and evaluation (the journal records each removal),
     * allocations first, so a reader never finds allocations of a job that is gone.
     */
    public void removeJob(Job job, List<Allocation> allocs) {
        for (Allocation a : allocs) allocations.delete(a.id());
        if (job.evaluationId() != null) evaluations.delete(job.evaluationId());
        jobs.delete(job.id());
    }

    // --- allocations

    public void createAllocation(Allocation a) {
        write(allocations, a.id(), a);
    }

    public Optional<Allocation> allocation(String id) {
        return Optional.ofNullable(allocations.get(id)).map(v -> read(v, Allocation.class));
    }

    public List<Allocation> allocationsOfJob(String jobId) {
        return query(Predicates.equal("jobId", jobId));
    }

    public List<Allocation> allocationsOfNode(String nodeId) {
        return query(Predicates.equal("nodeId", nodeId));
    }

    /** Allocations of one job and/or in one status (wire name); either may be null for any. */
    public List<Allocation> allocationsWhere(String jobId, String status) {
        var parts = new java.util.ArrayList<Predicate<String, HazelcastJsonValue>>();
        if (jobId != null) parts.add(Predicates.equal("jobId", jobId));
        if (status != null) parts.add(Predicates.equal("status", status));
        if (parts.isEmpty()) return allocations.values().stream().map(v -> read(v, Allocation.class))
                .sorted(Comparator.comparing(Allocation::createdAt).thenComparing(Allocation::id)).toList();
        @SuppressWarnings("unchecked")
        Predicate<String, HazelcastJsonValue>[] all = parts.toArray(new Predicate[0]);
        return query(all.length == 1 ? all[0] : Predicates.and(all));
    }

    /** Allocations that are pending or running, on any node or none. */
    public List<Allocation> activeAllocations() {
        return query(Predicates.in("status", ACTIVE.toArray(String[]::new)));
    }

    /** Allocations that were lost or failed (candidates for rescheduling). */
    public List<Allocation> endedAllocations() {
        return query(Predicates.in("status", AllocationStatus.LOST.wire(), AllocationStatus.FAILED.wire()));
    }

    /** Changes one allocation under its key's lock; {@code change} returns null to leave it as it is. */
    public Optional<Allocation> updateAllocation(String id, UnaryOperator<Allocation> change) {
        allocations.lock(id);
        try {
            var current = allocations.get(id);
            if (current == null) return Optional.empty();
            Allocation next = change.apply(read(current, Allocation.class));
            if (next == null) return Optional.empty();
            write(allocations, id, next);
            return Optional.of(next);
        } finally {
            allocations.unlock(id);
        }
    }

    /** Applies a node's report unless a newer one was applied already (reports may arrive out of order); one round trip. */
    public Optional<Allocation> applyUpdate(AllocationUpdate u) {
        return change(u.allocationId(), new AllocationChange.Report(u));
    }

    /** The leader's placement of a pending allocation on a node (unless placed or stopped meanwhile); one round trip. */
    public Optional<Allocation> placeAllocation(String id, String nodeId, dev.berth.model.AllocNetwork network, java.time.Instant at) {
        return change(id, new AllocationChange.Place(epoch, nodeId, network, at));
    }

    private Optional<Allocation> change(String id, AllocationChange change) {
        String json = allocations.executeOnKey(id, change);
        if (AllocationChange.STALE.equals(json)) throw new StaleLeaderException(allocations.getName(), id, epoch);
        return Optional.ofNullable(json).map(j -> Json.read(j, Allocation.class));
    }

    // --- nodes

    public Optional<Node> node(String id) {
        return Optional.ofNullable(nodes.get(id)).map(v -> read(v, Node.class));
    }

    public List<Node> nodes() {
        return nodes.values().stream().map(v -> read(v, Node.class)).sorted(Comparator.comparing(Node::id)).toList();
    }

    /** Forgets a node; should its executor come back, it registers anew. */
    public void removeNode(String id) {
        nodes.delete(id);
    }

    public Optional<Node> updateNode(String id, UnaryOperator<Node> change) {
        nodes.lock(id);
        try {
            var current = nodes.get(id);
            Node next = change.apply(current == null ? null : read(current, Node.class));
            if (next == null) return Optional.empty();
            nodes.set(id, json(next));
            return Optional.of(next);
        } finally {
            nodes.unlock(id);
        }
    }

    // --- queues

    public Map<String, dev.berth.model.spec.QueueSpec> queues() {
        var out = new java.util.TreeMap<String, dev.berth.model.spec.QueueSpec>();
        queues.forEach((k, v) -> out.put(k, read(v, dev.berth.model.spec.QueueSpec.class)));
        return out;
    }

    public void putQueue(dev.berth.model.spec.QueueSpec q) {
        queues.set(q.name(), json(q));
    }

    public boolean removeQueue(String name) {
        return queues.remove(name) != null;
    }

    public Map<String, dev.berth.scheduler.placement.RecentUsage> queueUsage() {
        var out = new java.util.HashMap<String, dev.berth.scheduler.placement.RecentUsage>();
        queueUsage.forEach((k, v) -> out.put(k, read(v, dev.berth.scheduler.placement.RecentUsage.class)));
        return out;
    }

    public void putQueueUsage(String queue, dev.berth.scheduler.placement.RecentUsage u) {
        queueUsage.set(queue, json(u));
    }

    // --- subnet leases

    /** A node's block of the container range. */
    public record SubnetLease(String nodeId, String subnet, java.time.Instant leasedAt) {
    }

    public Map<String, SubnetLease> subnetLeases() {
        var out = new java.util.TreeMap<String, SubnetLease>();
        subnets.forEach((k, v) -> out.put(k, read(v, SubnetLease.class)));
        return out;
    }

    /** Runs {@code work} with every lease decision of the cluster held off (one at a time, on any member). */
    public <T> T underLeaseLock(java.util.function.Supplier<T> work) {
        subnets.lock("");
        try {
            return work.get();
        } finally {
            subnets.unlock("");
        }
    }

    public void putSubnetLease(SubnetLease lease) {
        subnets.set(lease.nodeId(), json(lease));
    }

    /** Frees a node's block (the journal records it); true when it held one. */
    public boolean removeSubnetLease(String nodeId) {
        return subnets.remove(nodeId) != null;
    }

    // --- dispatches

    /**
     * Claims an idempotency token of a parameterized job for {@code childId}, for a day; returns the
     * child an earlier dispatch with the same token made, if one did.
     */
    public Optional<String> claimDispatch(String parentId, String token, String childId) {
        return Optional.ofNullable(dispatches.putIfAbsent(parentId + "/" + token, childId, 24, java.util.concurrent.TimeUnit.HOURS));
    }

    public void releaseDispatch(String parentId, String token) {
        dispatches.remove(parentId + "/" + token);
    }

    // --- evaluations

    public Optional<Evaluation> evaluation(String id) {
        return Optional.ofNullable(evaluations.get(id)).map(v -> read(v, Evaluation.class));
    }

    public void putEvaluation(Evaluation e) {
        write(evaluations, e.id(), e);
    }

    private List<Allocation> query(Predicate<String, HazelcastJsonValue> p) {
        Collection<HazelcastJsonValue> values = allocations.values(p);
        return values.stream().map(v -> read(v, Allocation.class))
                .sorted(Comparator.comparing(Allocation::createdAt).thenComparing(Allocation::group)
                        .thenComparingInt(Allocation::index).thenComparing(Allocation::task))
                .toList();
    }

    // --- changes, for those who watch (the web UI's live view)

    /** What changed: an entry of {@code kind} (job, allocation, node, evaluation), with the ids it names. */
    public record Change(String kind, String id, String jobId, String nodeId, String status, boolean removed) {
    }

    /**
     * Calls {@code onChange} on Hazelcast's event thread for every change of a job, allocation, node or
     * evaluation, made by any member; closing the result stops it. Each listener ships changed values to
     * this member, so register one only while someone watches.
     */
    public AutoCloseable watch(java.util.function.Consumer<Change> onChange) {
        var registered = new java.util.ArrayList<Runnable>();
        for (var entry : List.of(java.util.Map.entry("job", jobs), java.util.Map.entry("allocation", allocations),
                java.util.Map.entry("node", nodes), java.util.Map.entry("evaluation", evaluations))) {
            String kind = entry.getKey();
            IMap<String, HazelcastJsonValue> map = entry.getValue();
            java.util.UUID id = map.addEntryListener(new ChangeListener(kind, onChange), true);
            registered.add(() -> map.removeEntryListener(id));
        }
        return () -> registered.forEach(Runnable::run);
    }

    private record ChangeListener(String kind, java.util.function.Consumer<Change> onChange)
            implements com.hazelcast.map.listener.EntryAddedListener<String, HazelcastJsonValue>,
            com.hazelcast.map.listener.EntryUpdatedListener<String, HazelcastJsonValue>,
            com.hazelcast.map.listener.EntryRemovedListener<String, HazelcastJsonValue> {
        @Override
        public void entryAdded(com.hazelcast.core.EntryEvent<String, HazelcastJsonValue> e) {
            onChange.accept(change(e.getKey(), e.getValue(), false));
        }

        @Override
        public void entryUpdated(com.hazelcast.core.EntryEvent<String, HazelcastJsonValue> e) {
            onChange.accept(change(e.getKey(), e.getValue(), false));
        }

        @Override
        public void entryRemoved(com.hazelcast.core.EntryEvent<String, HazelcastJsonValue> e) {
            onChange.accept(change(e.getKey(), e.getOldValue(), true));
        }

        private Change change(String key, HazelcastJsonValue value, boolean removed) {
            if (value == null) return new Change(kind, key, kind.equals("job") ? key : null, kind.equals("node") ? key : null, null, removed);
            var fields = Json.read(value.getValue(), ChangeFields.class);
            return new Change(kind, key, kind.equals("job") ? key : fields.jobId(), kind.equals("node") ? key : fields.nodeId(),
                    kind.equals("job") ? null : fields.status(), removed);
        }
    }

    /** The few fields of a stored value that a change names. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record ChangeFields(String jobId, String nodeId, String status) {
    }

    private void write(IMap<String, HazelcastJsonValue> map, String key, Object value) {
        if (!map.executeOnKey(key, new FencedWrite(epoch, Json.write(value)))) throw new StaleLeaderException(map.getName(), key, epoch);
    }

    private static HazelcastJsonValue json(Object o) {
        return new HazelcastJsonValue(Json.write(o));
    }

    private static <T> T read(HazelcastJsonValue v, Class<T> type) {
        return Json.read(v.getValue(), type);
    }
}
