package dev.berth.executor;

import dev.berth.model.AllocationUpdate;
import dev.berth.model.bus.Addresses;
import dev.berth.model.codec.Json;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends allocation updates to the schedulers until one acknowledges, so that a status change is not
 * lost while no scheduler member is reachable. Only the newest update of an allocation is kept:
 * the scheduler needs the latest truth, not the history. Confined to the verticle's event loop.
 */
final class UpdateReporter {
    private static final long RETRY_MS = 1000;

    private final Vertx vertx;
    private final Map<String, AllocationUpdate> unacknowledged = new HashMap<>();

    UpdateReporter(Vertx vertx) {
        this.vertx = vertx;
    }

    void report(AllocationUpdate u) {
        unacknowledged.put(u.allocationId(), u);
        send(u);
    }

    int pending() {
        return unacknowledged.size();
    }

    private void send(AllocationUpdate u) {
        vertx.eventBus().request(Addresses.ALLOCATION_UPDATES, Json.write(u), new DeliveryOptions().setSendTimeout(5000))
                .onSuccess(reply -> unacknowledged.remove(u.allocationId(), u))
                .onFailure(e -> vertx.setTimer(RETRY_MS, t -> {
                    if (unacknowledged.get(u.allocationId()) == u) send(u);
                }));
    }
}
