package dev.berth.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A server on a test host that is no Berth node: says hello to each connection and prints who connected ({@code peer ADDRESS}). */
public final class PeerEcho {
    private PeerEcho() {
    }

    public static void main(String[] args) throws IOException {
        try (var server = new ServerSocket()) {
            server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            System.out.println("listening on " + args[0]);
            for (;;) {
                try (Socket s = server.accept()) {
                    System.out.println("peer " + s.getInetAddress().getHostAddress());
                    s.getOutputStream().write("hello from outside\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }
}
