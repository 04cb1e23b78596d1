package dev.berth.scheduler.ui;

import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.ClusterState.Change;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The cluster's changes, fanned out to this member's watchers (the event streams of open web UI
 * pages). The Hazelcast listeners exist only while someone watches: with none they would ship every
 * changed allocation to this member for nothing.
 */
public final class ChangeFeed {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChangeFeed.class);

    private final ClusterState state;
    private final Set<Consumer<Change>> watchers = ConcurrentHashMap.newKeySet();
    private AutoCloseable listening; // guarded by this

    public ChangeFeed(ClusterState state) {
        this.state = state;
    }

    /** Starts calling {@code watcher} (on a Hazelcast thread) for every change; blocks while the first registers. */
    public synchronized AutoCloseable watch(Consumer<Change> watcher) {
        watchers.add(watcher);
        if (listening == null) listening = state.watch(this::fanOut);
        return () -> unwatch(watcher);
    }

    private synchronized void unwatch(Consumer<Change> watcher) {
        if (!watchers.remove(watcher) || !watchers.isEmpty() || listening == null) return;
        try {
            listening.close();
        } catch (Exception e) {
            LOG.warn("could not remove the change listeners: {}", e.toString());
        }
        listening = null;
    }

    public int watchers() {
        return watchers.size();
    }

    private void fanOut(Change c) {
        for (Consumer<Change> w : watchers) {
            try {
                w.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("a change watcher failed: {}", e.toString());
            }
        }
    }
}
