package dev.berth.scheduler.bridge;

import dev.berth.model.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import dev.berth.model.config.Peers;
import dev.berth.model.config.TlsFiles;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.X509Certificate;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where executors connect: Vert.x's TCP event-bus bridge on the executor port. An executor sends
 * heartbeats and allocation updates, and registers its own node's run, stop and logs addresses,
 * which the leader reaches over the clustered bus from whichever member the executor is on.
 * Permitted addresses limit what any connection can touch; {@link BridgeGuard} makes each
 * connection one node. A connection silent for {@link #IDLE_SECONDS} (executors ping every
 * second) is closed, so that a dead executor's addresses leave the bus.
 */
public final class ExecutorBridge {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorBridge.class);
    static final int IDLE_SECONDS = 5;

    private final TcpEventBusBridge bridge;
    private final Map<NetSocket, BridgeGuard> connections = new ConcurrentHashMap<>();
    private int port;
    private volatile boolean serving = true;

    private final boolean tls;

    /** @param tls null: plaintext; else mutual TLS taking only executor certificates of the cluster's CA */
    private ExecutorBridge(Vertx vertx, TlsFiles tls) throws java.io.IOException {
        this.tls = tls != null;
        var options = new BridgeOptions()
                .addInboundPermitted(new PermittedOptions().setAddress(Addresses.HEARTBEATS))
                .addInboundPermitted(new PermittedOptions().setAddress(Addresses.ALLOCATION_UPDATES))
                .addInboundPermitted(new PermittedOptions().setAddress(Addresses.NETWORK_PEERS))
                .addInboundPermitted(new PermittedOptions().setAddress(Addresses.NETWORK_LEASE))
                .addOutboundPermitted(new PermittedOptions().setAddressRegex(Addresses.NODE_ADDRESS_REGEX));
        var server = new NetServerOptions().setIdleTimeout(IDLE_SECONDS).setTcpNoDelay(true);
        if (tls != null) {
            server.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()))
                    .setTrustOptions(TrustOptions.wrap(Peers.trusting(tls.ca(), Peers.EXECUTOR)));
        }
        bridge = TcpEventBusBridge.create(vertx, options, server, this::guard);
    }

    public static Future<ExecutorBridge> start(Vertx vertx, String host, int port, TlsFiles tls) {
        try {
            var b = new ExecutorBridge(vertx, tls);
            b.port = port;
            return b.bridge.listen(port, host).map(x -> b);
        } catch (java.io.IOException e) {
            return Future.failedFuture(e);
        }
    }

    private void guard(BridgeEvent event) {
        NetSocket socket = event.socket();
        if (!serving) {
            event.complete(false);
            socket.close();
            return;
        }
        BridgeGuard guard = connections.computeIfAbsent(socket, s -> {
            s.closeHandler(v -> {
                BridgeGuard gone = connections.remove(s);
                if (gone != null && gone.nodeId() != null) LOG.info("executor {} disconnected ({})", gone.nodeId(), s.remoteAddress());
            });
            return new BridgeGuard(tls ? certifiedNode(s) : null);
        });
        String before = guard.nodeId();
        var verdict = guard.check(event.type(), event.getRawMessage());
        if (before == null && guard.nodeId() != null) LOG.info("executor {} connected from {}", guard.nodeId(), socket.remoteAddress());
        if (!verdict.passes()) LOG.warn("executor connection {} refused: {}", socket.remoteAddress(), verdict.refusal());
        event.complete(verdict.passes());
    }

    /** The node id an executor's certificate names (the handshake has checked its CA and role). */
    private static String certifiedNode(NetSocket s) {
        try {
            return Peers.identity((X509Certificate) s.peerCertificates().getFirst()).map(Peers.Identity::name).orElse(null);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /**
     * A member cut off from the majority can place nothing and record nothing the others see: it
     * closes its executors' connections and takes no new ones, so that they move to a member of
     * the majority (the next one each lists).
     */
    public void serve(boolean majority) {
        if (serving == majority) return;
        serving = majority;
        if (majority) {
            LOG.info("this member is back with a majority of the cluster: it takes executor connections again");
            return;
        }
        LOG.warn("this member sees fewer than a majority of the scheduler members: closing its {} executor connection(s) so that they move to the majority",
                connections.size());
        connections.keySet().forEach(NetSocket::close);
    }

    /** Executor connections open now. */
    public int connections() {
        return connections.size();
    }

    public int port() {
        return port;
    }

    public Future<Void> close() {
        return bridge.close();
    }
}
