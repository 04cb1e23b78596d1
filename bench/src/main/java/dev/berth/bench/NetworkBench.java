package dev.berth.bench;

import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.NodeRuntime;
import dev.berth.executor.container.ContainerRuntime;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.network.NetworkConfig;
import dev.berth.executor.runtime.RunningTask;
import dev.berth.model.spec.IoLimits;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.PortSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.TaskSpec;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Published ports, relay against kernel DNAT, in one run: a client on a host beside the node (a
 * network namespace of this benchmark's, on a veth to the node) reaches two containers through
 * their published ports at the node's address — a 1 GiB download (HTTP, from busybox's httpd),
 * 10,000 small requests on one connection (an echo), 1,000 connections of one request each. The same containers and client for both ways;
 * only {@code publishMode} differs. Every packet stays between this host and the namespaces made
 * here (10.215.0.0/30 and the containers' 10.211.202.0/24), which are removed at the end.
 */
final class NetworkBench {
    static final String NETNS = "berth-bench-client", HOST_VETH = "berthbc0";
    static final String NODE = "10.215.0.1", CLIENT = "10.215.0.2";
    static final int TRANSFER_PORT = 29000, ECHO_PORT = 29001;

    record Result(double transferSeconds, long bytes, Stats requests, double requestsPerSecond, Stats connections) {
    }

    public static void main(String[] args) throws Exception {
        long mib = StartLatency.intArg(args, "--mib", 1024);
        int requests = StartLatency.intArg(args, "--requests", 10_000);
        int connections = StartLatency.intArg(args, "--connections", 1_000);
        Path work = Files.createTempDirectory("berth-bench-net-");
        Map<String, Result> results = new LinkedHashMap<>();
        try {
            clientHost();
            Path tar = BusyboxImage.writeTar(BusyboxImage.HOST_BUSYBOX, work.resolve("busybox.tar"));
            System.out.printf("Published ports, relay vs kernel DNAT: a client on a host beside the node (a network namespace on a veth)%n");
            System.out.printf("reaches containers at the node's address %s; %d MiB download, %d requests of 64 B on one connection, %d connections%n",
                    NODE, mib, requests, connections);
            System.out.printf("host: %d cores, kernel %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"));
            for (String mode : List.of(NetworkConfig.RELAY, NetworkConfig.DNAT)) results.put(mode, measure(mode, work.resolve(mode), tar, mib, requests, connections));
        } finally {
            run("ip", "netns", "delete", NETNS);
            StartLatency.delete(work);
        }
        System.out.printf("%-44s %12s %12s %8s%n", "measure", "relay", "dnat", "dnat/relay");
        Result relay = results.get(NetworkConfig.RELAY), dnat = results.get(NetworkConfig.DNAT);
        row(mib + " MiB download, MiB/s", relay.bytes / 1048576.0 / relay.transferSeconds, dnat.bytes / 1048576.0 / dnat.transferSeconds);
        row(mib + " MiB download, seconds", relay.transferSeconds, dnat.transferSeconds);
        row(requests + " requests, one connection: req/s", relay.requestsPerSecond, dnat.requestsPerSecond);
        row("  round trip p50, ms", relay.requests.p50(), dnat.requests.p50());
        row("  round trip p95, ms", relay.requests.p95(), dnat.requests.p95());
        row(connections + " connections: connect+answer p50, ms", relay.connections.p50(), dnat.connections.p50());
        row("  p95, ms", relay.connections.p95(), dnat.connections.p95());
    }

    private static void row(String what, double relay, double dnat) {
        System.out.printf("%-44s %12.3f %12.3f %8.2f%n", what, relay, dnat, dnat / relay);
    }

    /** The client's host: a namespace with a veth to this one, 10.215.0.2 there and 10.215.0.1 here. */
    private static void clientHost() throws IOException, InterruptedException {
        run("ip", "netns", "delete", NETNS); // an earlier run's, if it died
        must("ip", "netns", "add", NETNS);
        must("ip", "link", "add", HOST_VETH, "type", "veth", "peer", "name", "eth0", "netns", NETNS);
        must("ip", "addr", "add", NODE + "/30", "dev", HOST_VETH);
        must("ip", "link", "set", HOST_VETH, "up");
        must("ip", "-n", NETNS, "addr", "add", CLIENT + "/30", "dev", "eth0");
        must("ip", "-n", NETNS, "link", "set", "eth0", "up");
        must("ip", "-n", NETNS, "link", "set", "lo", "up");
    }

    private static Result measure(String mode, Path work, Path tar, long mib, int requests, int connections) throws Exception {
        Files.createDirectories(work);
        var config = ExecutorConfig.of("bench-net", work).with("cgroupParent", "berth-bench", "bridge", "berth-bench2",
                "subnet", "10.211.202.0/24", "firewallTable", "berth_bench_net", "bind", NODE, "publishMode", mode);
        NodeRuntime.images(config).importImage(tar, "busybox:bench");
        ContainerRuntime runtime = NodeRuntime.create(config);
        var started = new ArrayList<RunningTask>();
        try {
            var resources = new Resources(Cpu.parse("2"), ByteSize.parse("64Mi"), 64, IoLimits.UNLIMITED, Map.of());
            // a sparse file that busybox's httpd sends with sendfile: the server costs little, the path is what is measured
            var transfer = TaskSpec.basic("transfer", "busybox:bench", List.of("sh", "-c",
                    "mkdir -p /www && truncate -s " + (mib << 20) + " /www/big && exec httpd -f -p 9000 -h /www"), resources)
                    .withNetwork(new NetworkSpec(NetworkMode.BRIDGE, List.of(new PortSpec("data", 9000, TRANSFER_PORT))));
            var echo = TaskSpec.basic("echo", "busybox:bench", List.of("nc", "-ll", "-p", "9001", "-e", "cat"), resources)
                    .withNetwork(new NetworkSpec(NetworkMode.BRIDGE, List.of(new PortSpec("echo", 9001, ECHO_PORT))));
            started.add(runtime.start("t-" + mode, transfer, Files.createDirectories(work.resolve("allocs/t"))));
            started.add(runtime.start("e-" + mode, echo, Files.createDirectories(work.resolve("allocs/e"))));
            String[] t = client("transfer", TRANSFER_PORT, "/big");
            long bytes = Long.parseLong(t[0]);
            if (bytes < mib << 20) throw new IOException(mode + ": the download brought " + bytes + " bytes, not " + (mib << 20) + " and the headers");
            double seconds = Long.parseLong(t[1]) / 1e9;
            long[] rtt = longs(client("requests", ECHO_PORT, String.valueOf(requests)));
            double perSecond = requests / (Arrays.stream(rtt).sum() / 1e9);
            long[] conns = longs(client("connections", ECHO_PORT, String.valueOf(connections)));
            System.out.printf("%s: %.2f s for %d MiB, %d requests at %.0f/s, %d connections p50 %.2f ms%n",
                    mode, seconds, mib, requests, perSecond, connections, Stats.of(conns).p50());
            return new Result(seconds, bytes, Stats.of(rtt), perSecond, Stats.of(conns));
        } finally {
            for (var task : started) {
                task.kill();
                task.exit().get(10, TimeUnit.SECONDS);
            }
            runtime.close();
        }
    }

    /** The client in its namespace: another JVM, started there by nsenter. */
    private static String[] client(String measure, int port, String arg) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var cmd = List.of("nsenter", "--net=/run/netns/" + NETNS, java, "-cp", System.getProperty("java.class.path"),
                NetClient.class.getName(), measure, NODE, String.valueOf(port), arg);
        var p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("the client (" + measure + ") failed: " + out);
        return out.split(" ");
    }

    private static long[] longs(String[] s) {
        return Arrays.stream(s).mapToLong(Long::parseLong).toArray();
    }

    private static void must(String... cmd) throws IOException, InterruptedException {
        if (run(cmd) != 0) throw new IOException(String.join(" ", cmd) + " failed (iproute2 installed? run as root)");
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
