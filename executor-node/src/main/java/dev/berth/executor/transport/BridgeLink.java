package dev.berth.executor.transport;

import dev.berth.model.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's end of Vert.x's TCP event-bus bridge: frames of a 4-byte length and a JSON object
 * ({@code send}, {@code register}, {@code ping} out; {@code message}, {@code err}, {@code pong} in).
 * It speaks to one scheduler member at a time and moves to the next listed one when that member
 * closes the connection or stays silent for {@link #SILENT_MS} (it pings every {@link #PING_MS}):
 * a member that dies is left within that bound plus one connection attempt per member tried.
 * Confined to the event loop of the verticle that made it.
 */
public final class BridgeLink implements SchedulerLink {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeLink.class);
    static final long PING_MS = 1000;
    static final long SILENT_MS = 3000;
    private static final int CONNECT_TIMEOUT_MS = 2000;
    private static final long ROUND_PAUSE_MS = 1000;

    private final Vertx vertx;
    private final List<HostPort> members;
    private final NetClient client;
    private final Map<String, Handler<Inbound>> handlers = new LinkedHashMap<>();
    private final Map<String, Pending> pending = new HashMap<>();
    private final long pingTimer;
    private NetSocket socket;
    private HostPort current;
    private int next;
    private int failedInRound;
    private long lastHeard;
    private boolean closed;
    private final Promise<Void> firstConnection = Promise.promise();

    private record Pending(Promise<Object> promise, long timer) {
    }

    public BridgeLink(Vertx vertx, List<HostPort> members) {
        this(vertx, members, null);
    }

    /**
     * @param tls null: plaintext; else mutual TLS: this node's certificate, and only scheduler
     *            certificates of the cluster's CA, valid for the address dialled, are taken
     */
    public BridgeLink(Vertx vertx, List<HostPort> members, dev.berth.model.config.TlsFiles tls) {
        if (members.isEmpty()) throw new IllegalArgumentException("schedulers: at least one scheduler member to connect to");
        this.vertx = vertx;
        this.members = List.copyOf(members);
        var options = new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true);
        if (tls != null) {
            options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                    .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()))
                    .setTrustOptions(io.vertx.core.net.TrustOptions.wrap(trustingSchedulers(tls)));
        }
        this.client = vertx.createNetClient(options);
        this.pingTimer = vertx.setPeriodic(PING_MS, id -> ping());
        connect();
    }

    private static javax.net.ssl.TrustManager trustingSchedulers(dev.berth.model.config.TlsFiles tls) {
        try {
            return dev.berth.model.config.Peers.trusting(tls.ca(), dev.berth.model.config.Peers.SCHEDULER);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Completes at the first connection to any member (it keeps trying meanwhile). */
    public Future<Void> connected() {
        return firstConnection.future();
    }

    @Override
    public void send(String address, JsonObject body) {
        if (socket != null) write(new JsonObject().put("type", "send").put("address", address).put("body", body));
    }

    @Override
    public Future<Object> request(String address, JsonObject body, long timeoutMs) {
        if (socket == null) return Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "no scheduler member connected"));
        String replyAddress = "berth.reply." + UUID.randomUUID();
        Promise<Object> promise = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (pending.remove(replyAddress) != null) {
                promise.tryFail(new ReplyException(ReplyFailure.TIMEOUT, "no answer from " + current + " to " + address + " in " + timeoutMs + " ms"));
            }
        });
        pending.put(replyAddress, new Pending(promise, timer));
        write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress).put("body", body));
        return promise.future();
    }

    @Override
    public void handle(String address, Handler<Inbound> handler) {
        handlers.put(address, handler);
        if (socket != null) write(new JsonObject().put("type", "register").put("address", address));
    }

    @Override
    public String connectedTo() {
        return socket == null ? null : current.toString();
    }

    @Override
    public Future<Void> close() {
        closed = true;
        vertx.cancelTimer(pingTimer);
        if (socket != null) socket.close();
        return client.close();
    }

    private void connect() {
        if (closed) return;
        HostPort member = members.get(next);
        next = (next + 1) % members.size();
        client.connect(member.port(), member.host()).onComplete(r -> {
            if (closed) {
                if (r.succeeded()) r.result().close();
                return;
            }
            if (r.failed()) {
                if (r.cause() instanceof javax.net.ssl.SSLException) LOG.warn("scheduler {}: TLS refused: {}", member, r.cause().getMessage());
                else LOG.debug("cannot reach scheduler {}: {}", member, r.cause().getMessage());
                if (++failedInRound >= members.size()) {
                    failedInRound = 0;
                    LOG.warn("no scheduler member reachable ({}); trying again", members);
                    vertx.setTimer(ROUND_PAUSE_MS, t -> connect());
                } else {
                    connect();
                }
                return;
            }
            failedInRound = 0;
            attach(member, r.result());
        });
    }

    private void attach(HostPort member, NetSocket s) {
        socket = s;
        current = member;
        lastHeard = System.currentTimeMillis();
        s.handler(frames());
        s.closeHandler(v -> detach(s));
        s.exceptionHandler(e -> LOG.debug("connection to scheduler {}: {}", member, e.toString()));
        handlers.keySet().forEach(a -> write(new JsonObject().put("type", "register").put("address", a)));
        LOG.info("connected to scheduler {}", member);
        firstConnection.tryComplete();
    }

    private void detach(NetSocket s) {
        if (socket != s) return;
        socket = null;
        var failed = new HashMap<>(pending);
        pending.clear();
        failed.values().forEach(p -> {
            vertx.cancelTimer(p.timer());
            p.promise().tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, "connection to scheduler " + current + " closed"));
        });
        if (closed) return;
        LOG.warn("connection to scheduler {} closed; connecting to another member", current);
        connect();
    }

    private void ping() {
        if (socket == null) return;
        if (System.currentTimeMillis() - lastHeard > SILENT_MS) {
            LOG.warn("scheduler {} silent for {} ms; leaving it", current, SILENT_MS);
            socket.close();
            return;
        }
        write(new JsonObject().put("type", "ping"));
    }

    private Handler<Buffer> frames() {
        RecordParser parser = RecordParser.newFixed(4);
        parser.handler(new Handler<>() {
            int length = -1;

            @Override
            public void handle(Buffer b) {
                if (length < 0) {
                    length = b.getInt(0);
                    parser.fixedSizeMode(length);
                } else {
                    length = -1;
                    parser.fixedSizeMode(4);
                    lastHeard = System.currentTimeMillis();
                    receive(new JsonObject(b));
                }
            }
        });
        return parser;
    }

    private void receive(JsonObject frame) {
        String type = frame.getString("type", "");
        String address = frame.getString("address");
        switch (type) {
            case "pong" -> {
            }
            case "message" -> {
                Pending p = address == null ? null : pending.remove(address);
                if (p != null) {
                    vertx.cancelTimer(p.timer());
                    p.promise().tryComplete(frame.getValue("body"));
                } else {
                    deliver(address, frame);
                }
            }
            case "err" -> {
                Pending p = address == null ? null : pending.remove(address);
                if (p != null) {
                    vertx.cancelTimer(p.timer());
                    p.promise().tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, frame.getInteger("failureCode", -1), frame.getString("message")));
                } else {
                    LOG.warn("scheduler {} refused a frame: {}", current, frame.getString("message"));
                }
            }
            default -> LOG.debug("frame of unknown type {} from {}", type, current);
        }
    }

    private void deliver(String address, JsonObject frame) {
        Handler<Inbound> handler = handlers.get(address);
        if (handler == null) return;
        String replyAddress = frame.getString("replyAddress");
        JsonObject body = frame.getValue("body") instanceof JsonObject j ? j : new JsonObject();
        NetSocket from = socket;
        handler.handle(new Inbound() {
            @Override
            public JsonObject body() {
                return body;
            }

            @Override
            public void reply(Object answer) {
                if (replyAddress != null && from == socket) {
                    write(new JsonObject().put("type", "send").put("address", replyAddress).put("body", answer));
                }
            }

            @Override
            public void fail(int code, String message) {
                if (replyAddress != null && from == socket) {
                    write(new JsonObject().put("type", "send").put("address", replyAddress).put("failureCode", code).put("message", message));
                }
            }
        });
    }

    private void write(JsonObject frame) {
        byte[] data = frame.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        socket.write(Buffer.buffer(4 + data.length).appendInt(data.length).appendBytes(data));
    }
}
