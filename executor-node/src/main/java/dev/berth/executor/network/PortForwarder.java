package dev.berth.executor.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published TCP port: listens on the node and relays each connection to the container's
 * {@code ip:to}, a virtual thread per direction. A user-space relay (as Docker's docker-proxy)
 * works for the node's loopback too, where kernel DNAT would need route_localnet.
 */
final class PortForwarder implements Relay {
    private static final Logger LOG = LoggerFactory.getLogger(PortForwarder.class);

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    PortForwarder(InetAddress bind, int port, InetSocketAddress target) throws IOException {
        this.target = target;
        server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(bind, port), 128);
        } catch (IOException e) {
            server.close();
            throw new IOException("host port " + port + " is in use on this node (" + e.getMessage() + ")", e);
        }
        Thread.ofVirtual().name("berth-port-" + port).start(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        open.add(client);
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            upstream.connect(target, 5_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            Thread back = Thread.ofVirtual().start(() -> pump(upstream, client));
            pump(client, upstream);
            back.join();
        } catch (IOException e) {
            LOG.debug("port {} → {}: {}", server.getLocalPort(), target, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            open.remove(upstream);
        }
    }

    /** Copies until end of stream, then half-closes the other side so that its peer sees the end too. */
    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream(); // not closed here: that would close the socket for the other direction
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        open.forEach(PortForwarder::closeQuietly);
    }
}
