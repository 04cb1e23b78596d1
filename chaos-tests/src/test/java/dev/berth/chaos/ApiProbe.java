package dev.berth.chaos;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Reads {@code GET /v1/jobs} round-robin on some members every 100 ms while a fault goes on, counting what failed. */
final class ApiProbe {
    record Count(int total, int failed) {
        @Override
        public String toString() {
            return failed + " of " + total + " failed";
        }
    }

    private final ChaosCluster cluster;
    private final List<String> apis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger total = new AtomicInteger(), failed = new AtomicInteger();
    private Thread thread;

    ApiProbe(ChaosCluster cluster, List<String> apis) {
        this.cluster = cluster;
        this.apis = List.copyOf(apis);
    }

    ApiProbe start() {
        thread = Thread.ofPlatform().name("berth-chaos-probe").daemon(true).start(() -> {
            int i = 0;
            while (running.get()) {
                total.incrementAndGet();
                try {
                    cluster.get(apis.get(i++ % apis.size()), "/v1/jobs");
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        });
        return this;
    }

    Count stop() throws InterruptedException {
        running.set(false);
        thread.join();
        return new Count(total.get(), failed.get());
    }
}
