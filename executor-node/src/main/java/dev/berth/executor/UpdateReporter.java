package dev.berth.executor;

import dev.berth.executor.transport.SchedulerLink;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends allocation updates to the schedulers until one acknowledges, so that a status change is not
 * lost while no scheduler member is reachable. Only the newest update of an allocation is kept:
 * the scheduler needs the latest truth, not the history. Confined to the verticle's event loop.
 */
final class UpdateReporter {
    private static final long RETRY_MS = 1000;
    private static final long TIMEOUT_MS = 5000;

    private final Vertx vertx;
    private final SchedulerLink link;
    private final Map<String, AllocationUpdate> unacknowledged = new HashMap<>();

    UpdateReporter(Vertx vertx, SchedulerLink link) {
        this.vertx = vertx;
        this.link = link;
    }

    void report(AllocationUpdate u) {
        unacknowledged.put(u.allocationId(), u);
        send(u);
    }

    int pending() {
        return unacknowledged.size();
    }

    /** The allocations whose newest update no scheduler has acknowledged yet (their end among them). */
    java.util.Set<String> unacknowledged() {
        return java.util.Set.copyOf(unacknowledged.keySet());
    }

    private void send(AllocationUpdate u) {
        link.request(Addresses.ALLOCATION_UPDATES, new JsonObject(Json.write(u)), TIMEOUT_MS)
                .onSuccess(reply -> unacknowledged.remove(u.allocationId(), u))
                .onFailure(e -> vertx.setTimer(RETRY_MS, t -> {
                    if (unacknowledged.get(u.allocationId()) == u) send(u);
                }));
    }
}
