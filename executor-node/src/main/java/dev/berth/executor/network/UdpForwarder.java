package dev.berth.executor.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published UDP port's relay: each client (source address and port) gets a socket of its own
 * towards the container's {@code ip:to}, so that the container's answers find their way back to
 * whoever asked. A client silent for {@link #IDLE_MS} loses its socket, as conntrack forgets an
 * unanswered UDP flow. Serves what kernel DNAT does not: the node's loopback and containers.
 */
final class UdpForwarder implements Relay {
    private static final Logger LOG = LoggerFactory.getLogger(UdpForwarder.class);
    static final long IDLE_MS = 60_000;
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel server;
    private final InetSocketAddress target;
    private final Map<SocketAddress, Session> sessions = new ConcurrentHashMap<>();

    private final class Session {
        final DatagramChannel upstream;
        volatile long lastSeen = System.currentTimeMillis();

        Session(SocketAddress client) throws IOException {
            upstream = DatagramChannel.open();
            upstream.connect(target);
            Thread.ofVirtual().name("berth-udp-" + port()).start(() -> answer(client, this));
        }
    }

    UdpForwarder(InetAddress bind, int port, InetSocketAddress target) throws IOException {
        this.target = target;
        server = DatagramChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(bind, port));
        } catch (IOException e) {
            server.close();
            throw new IOException("host UDP port " + port + " is in use on this node (" + e.getMessage() + ")", e);
        }
        Thread.ofVirtual().name("berth-udp-" + port).start(this::receive);
    }

    private int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        while (server.isOpen()) {
            try {
                buf.clear();
                SocketAddress client = server.receive(buf);
                buf.flip();
                Session s = sessions.get(client);
                if (s == null) {
                    forgetIdle();
                    s = new Session(client);
                    sessions.put(client, s);
                }
                s.lastSeen = System.currentTimeMillis();
                s.upstream.write(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("UDP port {} → {}: {}", port(), target, e.getMessage()); // e.g. the container is not listening yet
            }
        }
    }

    /** Copies the container's answers to the client until the session goes idle or the port closes. */
    private void answer(SocketAddress client, Session s) {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        try {
            while (s.upstream.isOpen()) {
                buf.clear();
                s.upstream.read(buf);
                buf.flip();
                s.lastSeen = System.currentTimeMillis();
                server.send(buf, client);
            }
        } catch (IOException e) {
            // closed (idle or port closed), or the container refused: the session ends
        } finally {
            sessions.remove(client, s);
            closeQuietly(s.upstream);
        }
    }

    private void forgetIdle() {
        long now = System.currentTimeMillis();
        sessions.values().removeIf(s -> {
            if (now - s.lastSeen < IDLE_MS) return false;
            closeQuietly(s.upstream);
            return true;
        });
    }

    private static void closeQuietly(DatagramChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        sessions.values().forEach(s -> closeQuietly(s.upstream));
        sessions.clear();
    }
}
