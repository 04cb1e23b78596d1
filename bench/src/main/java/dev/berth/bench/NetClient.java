package dev.berth.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * The network benchmark's client, run by {@link NetworkBench} in a network namespace of its own (a
 * host beside the node): it prints one line of numbers for the parent to read.
 * <ul>
 *   <li>{@code transfer HOST PORT PATH}: an HTTP/1.0 GET of PATH, read until the server closes; prints bytes and nanoseconds.</li>
 *   <li>{@code requests HOST PORT N}: N requests of 64 bytes on one connection, each answered in full
 *       before the next; prints each round trip in nanoseconds.</li>
 *   <li>{@code connections HOST PORT N}: N connections, one 64-byte request each; prints each one's
 *       connect → answer in nanoseconds.</li>
 * </ul>
 * Requests and connections are measured after as many again unmeasured, so that the JIT has made
 * this JVM's own code fast before it counts.
 */
final class NetClient {
    private static final int REQUEST = 64;

    public static void main(String[] args) throws Exception {
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        var to = new InetSocketAddress(host, port);
        switch (args[0]) {
            case "transfer" -> {
                try (Socket s = connect(to)) {
                    byte[] buf = new byte[1 << 20];
                    long bytes = 0, t0 = System.nanoTime();
                    s.getOutputStream().write(("GET " + args[3] + " HTTP/1.0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    for (int n; (n = in.read(buf)) > 0; ) bytes += n;
                    System.out.println(bytes + " " + (System.nanoTime() - t0));
                }
            }
            case "requests" -> {
                int n = Integer.parseInt(args[3]);
                long[] rtt = new long[n];
                try (Socket s = connect(to)) {
                    for (int i = 0; i < n; i++) ask(s); // warm-up
                    for (int i = 0; i < n; i++) rtt[i] = ask(s);
                }
                print(rtt);
            }
            case "connections" -> {
                int n = Integer.parseInt(args[3]);
                long[] each = new long[n];
                for (int i = 0; i < n; i++) {
                    try (Socket s = connect(to)) {
                        ask(s); // warm-up
                    }
                }
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    try (Socket s = connect(to)) {
                        ask(s);
                    }
                    each[i] = System.nanoTime() - t0;
                }
                print(each);
            }
            default -> throw new IllegalArgumentException("unknown measure " + args[0]);
        }
    }

    /** Connects, trying for 10 s while the server comes up. */
    private static Socket connect(InetSocketAddress to) throws IOException, InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            var s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(to, 2000);
                return s;
            } catch (IOException e) {
                s.close();
                if (System.nanoTime() > until) throw e;
                Thread.sleep(50); // a server starting in a container: nothing to wait on from another namespace
            }
        }
    }

    /** One request and its whole echo; the round trip in nanoseconds. */
    private static long ask(Socket s) throws IOException {
        byte[] out = new byte[REQUEST];
        Arrays.fill(out, (byte) 'x');
        byte[] in = new byte[REQUEST];
        long t0 = System.nanoTime();
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
        InputStream i = s.getInputStream();
        for (int got = 0; got < REQUEST; ) {
            int n = i.read(in, got, REQUEST - got);
            if (n < 0) throw new IOException("the server closed after " + got + " of " + REQUEST + " bytes");
            got += n;
        }
        return System.nanoTime() - t0;
    }

    private static void print(long[] nanos) {
        var b = new StringBuilder();
        for (long v : nanos) b.append(v).append(' ');
        System.out.println(b.toString().strip());
    }
}
