package dev.berth.scheduler.leader;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.lock.FencedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler member at a time places work: the holder of the cluster's {@link FencedLock}. Its
 * fencing token is the leader's epoch; every placement command carries it, and executors refuse a
 * command from an epoch older than one they have seen, so a deposed leader that has not noticed yet
 * cannot place anything. A crashed leader's lock frees when its CP session expires (seconds).
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    private static final String LOCK = "berth.leader";

    private final HazelcastInstance hz;
    private final String member;
    private final Thread thread;
    private volatile long epoch;
    private volatile boolean closed;

    public Leadership(HazelcastInstance hz, String member) {
        this.hz = hz;
        this.member = member;
        this.thread = Thread.ofPlatform().name("berth-leadership").daemon(true).unstarted(this::campaign);
    }

    public Leadership start() {
        thread.start();
        return this;
    }

    /** The fencing epoch while this member leads, else 0. */
    public long epoch() {
        return epoch;
    }

    public boolean leading() {
        return epoch > 0;
    }

    private void campaign() {
        while (!closed) {
            try {
                FencedLock lock = hz.getCPSubsystem().getLock(LOCK);
                long fence = lock.lockAndGetFence();
                epoch = fence;
                LOG.info("member {} leads the cluster (epoch {})", member, fence);
                while (!closed && lock.isLockedByCurrentThread()) Thread.sleep(500);
                if (!closed) LOG.warn("member {} lost the leadership (epoch {})", member, fence);
                epoch = 0;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                epoch = 0;
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

    /** Steps down: the lock goes with the member's CP session (closed on shutdown, expired after a crash). */
    @Override
    public void close() {
        closed = true;
        epoch = 0;
        thread.interrupt();
    }
}
