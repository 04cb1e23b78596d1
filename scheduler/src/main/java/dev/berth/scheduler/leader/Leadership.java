package dev.berth.scheduler.leader;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.cp.lock.FencedLock;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler member at a time places work: the holder of the cluster's {@link FencedLock}. Its
 * fencing token is the leader's epoch: every state write of the leader is conditional on it (see
 * {@code ClusterState.asLeader}) and every run command carries it, so a deposed leader that has not
 * noticed yet can change nothing. A crashed leader's lock frees when its CP session expires (5 s).
 * A leader that cannot confirm its hold on the lock for {@link #STEP_DOWN_MS} — cut off from the CP
 * group's majority — stops leading before that session can expire and another member take over.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    private static final String LOCK = "berth.leader";
    private static final String LEADER_MAP = "berth.leader";
    private static final long CHECK_MS = 500;
    /** Well inside the CP session's 5 s TTL (heartbeats every second). */
    static final long STEP_DOWN_MS = 3000;

    private final HazelcastInstance hz;
    private final JsonObject self;
    private final Clock clock;
    private final Thread thread;
    private volatile long fence;
    private volatile long confirmedAt;
    private volatile boolean closed;
    /** The newest leader record, kept by a map listener so that reading it never waits on the network. */
    private volatile JsonObject leader;

    /** @param self who this member is, as {@code /health} names the leader: {@code member}, {@code api} */
    public Leadership(HazelcastInstance hz, JsonObject self, Clock clock) {
        this.hz = hz;
        this.self = self.copy();
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("berth-leadership").daemon(true).unstarted(this::campaign);
    }

    /** Blocking: reads the current leader record once, then follows its changes. */
    public Leadership start() {
        IMap<String, HazelcastJsonValue> map = hz.getMap(LEADER_MAP);
        map.addEntryListener(new Follower(), true);
        HazelcastJsonValue current = map.get("leader");
        if (current != null && leader == null) leader = new JsonObject(current.getValue());
        thread.start();
        return this;
    }

    /** The fencing epoch while this member leads and has confirmed it lately, else 0. */
    public long epoch() {
        long f = fence;
        return f > 0 && clock.millis() - confirmedAt < STEP_DOWN_MS ? f : 0;
    }

    public boolean leading() {
        return epoch() > 0;
    }

    /**
     * The member that leads (or led last, as far as this member heard), as it announced itself:
     * {@code member}, {@code api}, {@code epoch}. Never blocks: a member cut off from the others
     * still answers.
     */
    public Optional<JsonObject> leader() {
        return Optional.ofNullable(leader).map(JsonObject::copy);
    }

    private final class Follower implements EntryAddedListener<String, HazelcastJsonValue>, EntryUpdatedListener<String, HazelcastJsonValue> {
        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> e) {
            leader = new JsonObject(e.getValue().getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> e) {
            leader = new JsonObject(e.getValue().getValue());
        }
    }

    private void campaign() {
        while (!closed) {
            try {
                FencedLock lock = hz.getCPSubsystem().getLock(LOCK);
                long f = lock.lockAndGetFence();
                confirmedAt = clock.millis();
                fence = f;
                hz.<String, HazelcastJsonValue>getMap(LEADER_MAP).set("leader", new HazelcastJsonValue(self.copy().put("epoch", f).encode()));
                LOG.info("member {} leads the cluster (epoch {})", self.getString("member"), f);
                holdWhileConfirmed(lock, f);
                fence = 0;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                fence = 0;
                if (closed || !hz.getLifecycleService().isRunning()) return;
                LOG.warn("leader election: {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Re-confirms the hold every half second; a check that takes too long lets {@link #epoch()} fall to 0 meanwhile. */
    private void holdWhileConfirmed(FencedLock lock, long f) throws InterruptedException {
        boolean warned = false;
        while (!closed) {
            long asked = clock.millis();
            if (!lock.isLockedByCurrentThread()) break;
            long answered = clock.millis();
            if (answered - confirmedAt >= STEP_DOWN_MS && !warned) {
                LOG.warn("member {} could not confirm its leadership for {} ms: it stopped placing meanwhile", self.getString("member"), answered - confirmedAt);
                warned = true;
            }
            confirmedAt = asked;
            Thread.sleep(CHECK_MS);
        }
        if (!closed) LOG.warn("member {} lost the leadership (epoch {})", self.getString("member"), f);
    }

    /** Steps down: the lock goes with the member's CP session (closed on shutdown, expired after a crash). */
    @Override
    public void close() {
        closed = true;
        fence = 0;
        thread.interrupt();
    }
}
