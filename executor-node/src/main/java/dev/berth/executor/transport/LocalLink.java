package dev.berth.executor.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The scheduler in this very process ({@code berth up}): its event bus, no network between. */
public final class LocalLink implements SchedulerLink {
    private final Vertx vertx;
    private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

    public LocalLink(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public void send(String address, JsonObject body) {
        vertx.eventBus().send(address, body);
    }

    @Override
    public Future<Object> request(String address, JsonObject body, long timeoutMs) {
        return vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs)).map(Message::body);
    }

    @Override
    public void handle(String address, Handler<Inbound> handler) {
        consumers.add(vertx.eventBus().<JsonObject>consumer(address, m -> handler.handle(new Inbound() {
            @Override
            public JsonObject body() {
                return m.body();
            }

            @Override
            public void reply(Object body) {
                m.reply(body);
            }

            @Override
            public void fail(int code, String message) {
                m.fail(code, message);
            }
        })));
    }

    @Override
    public String connectedTo() {
        return "this process";
    }

    @Override
    public Future<Void> close() {
        return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    }
}
