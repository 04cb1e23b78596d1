package dev.berth.executor.network;

import dev.berth.executor.netlink.Rtnl;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Veth pairs made ahead of need: the host end {@code bv…} already a port of the bridge and up, the
 * other end {@code bh…} waiting in the host's namespace to be moved into a container as eth0.
 * Making a pair costs more than moving one, and it happens here off the start path.
 */
final class VethPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VethPool.class);

    /** A ready pair; {@code peerIndex} is the container end's ifindex in the host namespace. */
    record Pair(String host, String peer, int peerIndex) {
    }

    private final Rtnl rtnl;
    private final int bridgeIndex;
    private final int target;
    private final ArrayDeque<Pair> ready = new ArrayDeque<>();
    private final ExecutorService refill = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("berth-veth-pool").unstarted(r));
    private boolean closed;

    VethPool(Rtnl rtnl, int bridgeIndex, int target) {
        this.rtnl = rtnl;
        this.bridgeIndex = bridgeIndex;
        this.target = target;
        refill.execute(this::fill);
    }

    /** A pair: a ready one, or one made now when none is ready. */
    Pair take() {
        Pair p;
        synchronized (this) {
            p = ready.poll();
        }
        if (p == null) p = make();
        if (target > 0) refill.execute(this::fill);
        return p;
    }

    private void fill() {
        try {
            while (true) {
                synchronized (this) {
                    if (closed || ready.size() >= target) return;
                }
                Pair p = make();
                synchronized (this) {
                    if (closed) {
                        delete(p);
                        return;
                    }
                    ready.add(p);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot make a spare veth pair: {}", e.getMessage());
        }
    }

    private Pair make() {
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String host = "bv" + suffix, peer = "bh" + suffix;
        synchronized (rtnl) {
            rtnl.addVeth(host, peer);
            try {
                int h = rtnl.index(host);
                rtnl.setMaster(h, bridgeIndex);
                rtnl.setUp(h);
                return new Pair(host, peer, rtnl.index(peer));
            } catch (RuntimeException e) {
                rtnl.deleteIfPresent(host);
                throw e;
            }
        }
    }

    /** Deleting one end of a veth deletes both. */
    void delete(Pair p) {
        synchronized (rtnl) {
            rtnl.deleteIfPresent(p.host());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        refill.shutdown();
        try {
            refill.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Pair p : ready) delete(p);
            ready.clear();
        }
    }
}
