package dev.berth.executor.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

/**
 * How an executor speaks to the schedulers: event-bus addresses and JSON bodies, whether they
 * travel over the TCP bridge to a scheduler member ({@link BridgeLink}) or stay inside one
 * process ({@link LocalLink}, {@code berth up}). Called on the executor's event loop.
 */
public interface SchedulerLink {
    /** Fire and forget (heartbeats): dropped while no scheduler member is reachable. */
    void send(String address, JsonObject body);

    /** Answered by one scheduler member; fails when none answers within {@code timeoutMs}. */
    Future<Object> request(String address, JsonObject body, long timeoutMs);

    /** Takes the messages sent to one of this node's addresses, from now on and after every reconnection. */
    void handle(String address, Handler<Inbound> handler);

    /** The scheduler member this node speaks to now, for logs; null while none. */
    String connectedTo();

    Future<Void> close();

    /** A message to this node, which its sender may wait an answer to. */
    interface Inbound {
        JsonObject body();

        void reply(Object body);

        void fail(int code, String message);
    }
}
