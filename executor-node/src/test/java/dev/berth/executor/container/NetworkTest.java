package dev.berth.executor.container;

import static dev.berth.executor.container.ContainerFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.executor.netlink.Rtnl;
import dev.berth.executor.runtime.TaskStartException;
import dev.berth.model.spec.NetworkMode;
import dev.berth.model.spec.NetworkSpec;
import dev.berth.model.spec.PortSpec;
import dev.berth.model.spec.TaskSpec;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bridge networking on the real kernel: every packet here stays between the host and the
 * containers' namespaces that the test made (the bridge's subnet 10.211.1.0/24), or on loopback.
 */
class NetworkTest extends ContainerTestBase {
    private final List<ContainerFixture.Started> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (var s : started) {
            s.task().kill();
            s.task().exit().get(10, TimeUnit.SECONDS);
        }
        started.clear();
    }

    private ContainerFixture.Started start(TaskSpec t) throws Exception {
        var s = node.start(t);
        started.add(s);
        return s;
    }

    static TaskSpec bridged(TaskSpec t, PortSpec... ports) {
        return t.withNetwork(new NetworkSpec(NetworkMode.BRIDGE, List.of(ports)));
    }

    private static String gateway() {
        return node.network.subnet().gateway().getHostAddress();
    }

    /** Tries a command until it succeeds or 5 s pass (a subshell, so that its exit ends only the loop): a client while its server comes up. */
    static String retry(String command) {
        return "(for i in $(seq 50); do " + command + " && exit 0; sleep 0.1; done; exit 1)";
    }

    @Test
    @DisplayName("network mode none: only lo, and it is up")
    void none() throws Exception {
        var r = node.run(task("sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags")
                .withNetwork(new NetworkSpec(NetworkMode.NONE, List.of())));
        assertThat(r.stdout().lines().toList()).containsExactly("lo", "0x9");
    }

    @Test
    @DisplayName("bridge: eth0 with the allocation's address, a default route via the bridge, /etc/hosts names it")
    void addressAndRoute() throws Exception {
        var s = start(task("sh", "-c", "ip -4 -o addr show dev eth0; ip route; cat /etc/hosts; sleep 30"));
        String ip = s.task().network().ip();
        assertThat(ip).startsWith("10.211.1.");
        assertThat(s.task().network().mode()).isEqualTo("bridge");
        await().atMost(Duration.ofSeconds(10)).until(() -> ContainerFixture.read(s.allocDir().resolve("stdout.log")).contains("localhost"));
        String out = ContainerFixture.read(s.allocDir().resolve("stdout.log"));
        assertThat(out).contains("inet " + ip + "/24", "default via " + gateway() + " dev eth0", ip + "\t" + s.id().substring(0, 12));
    }

    @Test
    @DisplayName("two containers on one node connect by IP, and each reaches its gateway")
    void containerToContainer() throws Exception {
        var server = start(task("sh", "-c", "echo hello-from-a | nc -l -p 7000"));
        String ip = server.task().network().ip();
        // busybox's ping wants a raw socket, which containers get only when asked for (iputils' ping uses ICMP sockets instead)
        var r = node.run(task("sh", "-c", retry("nc -w 2 " + ip + " 7000") + "; echo; ping -c 1 -W 2 " + gateway() + " >/dev/null && echo gateway-ok")
                .withCapabilities(List.of("NET_RAW"), List.of()));
        assertThat(r.stdout()).as(r.stderr()).contains("hello-from-a", "gateway-ok");
        assertThat(r.exit().code()).isZero();
    }

    @Test
    @DisplayName("a published port answers on the host's loopback and, from a container, on the gateway")
    void publishedPort() throws Exception {
        var web = start(bridged(task("sh", "-c", "while true; do echo hello-published | nc -l -p 8080; done"), new PortSpec("web", 8080, 28080)));
        assertThat(web.task().network().ports()).singleElement().satisfies(p -> {
            assertThat(p.host()).isEqualTo(28080);
            assertThat(p.to()).isEqualTo(8080);
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> readFrom("127.0.0.1", 28080).contains("hello-published"));
        var r = node.run(task("sh", "-c", retry("nc -w 2 " + gateway() + " 28080")));
        assertThat(r.stdout()).contains("hello-published");
    }

    /** A UDP echo server (the host's python, its /usr, /lib and /lib64 mounted read-only): each datagram back with "echo " before it. */
    static TaskSpec udpEcho(int port) {
        // through sh: the image has no /usr/bin/python3 of its own, the volume brings it
        return task("sh", "-c", "exec /usr/bin/python3 -c \"$0\"", String.join("\n",
                "import socket",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.bind(('0.0.0.0', " + port + "))",
                "while True:",
                "    d, a = s.recvfrom(2048)",
                "    s.sendto(b'echo ' + d, a)"))
                .withVolumes(List.of(new TaskSpec.Volume("/usr", "/usr", true), new TaskSpec.Volume("/lib", "/lib", true), new TaskSpec.Volume("/lib64", "/lib64", true)));
    }

    @Test
    @DisplayName("a published UDP port answers on the host's loopback, each client through a socket of its own; containers may reach it at the gateway")
    void publishedUdpPort() throws Exception {
        var echo = start(bridged(udpEcho(5353), new PortSpec("dns", 5353, 25353, PortSpec.UDP)));
        assertThat(echo.task().network().ports()).singleElement().satisfies(p -> assertThat(p.protocol()).isEqualTo("udp"));
        try {
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> udpAsk("127.0.0.1", 25353, "one").equals("echo one"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no answer on UDP port 25353; the server's stderr: " + ContainerFixture.read(echo.allocDir().resolve("stderr.log")), e);
        }
        assertThat(udpAsk("127.0.0.1", 25353, "two")).isEqualTo("echo two");
        assertThat(nft("list", "set", "inet", node.network.config().firewallTable(), "published_udp")).contains("25353");
        echo.task().kill();
        echo.task().exit().get(10, TimeUnit.SECONDS);
        started.remove(echo);
        await().atMost(Duration.ofSeconds(5)).until(() -> !nft("list", "set", "inet", node.network.config().firewallTable(), "published_udp").contains("25353"));
        try (var again = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 25353))) {
            assertThat(again.getLocalPort()).as("the relay let go of the port").isEqualTo(25353);
        }
    }

    /** One datagram to {@code host:port}, and the answer (3 s at most). */
    static String udpAsk(String host, int port, String message) throws Exception {
        try (var s = new java.net.DatagramSocket()) {
            s.setSoTimeout(3000);
            byte[] out = message.getBytes(StandardCharsets.UTF_8);
            s.send(new java.net.DatagramPacket(out, out.length, new InetSocketAddress(host, port)));
            var in = new java.net.DatagramPacket(new byte[2048], 2048);
            s.receive(in);
            return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
        }
    }

    private static String nft(String... args) throws Exception {
        var cmd = new ArrayList<String>(List.of("nft"));
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    @Test
    @DisplayName("a host port already in use refuses the start with that reason, and takes nothing")
    void portInUse() throws Exception {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = taken.getLocalPort();
            int leases = node.network.leases().size();
            assertThatThrownBy(() -> node.start(bridged(task("true"), new PortSpec("web", 80, port))))
                    .isInstanceOf(TaskStartException.class).hasMessageContaining("host port " + port + " is in use");
            assertThat(node.network.leases()).hasSize(leases);
        }
    }

    @Test
    @DisplayName("the node's own services are out of a container's reach: a listener on the host refuses it")
    void nodeServicesUnreachable() throws Exception {
        try (var service = new ServerSocket()) {
            service.bind(new InetSocketAddress("0.0.0.0", 0)); // as the scheduler API, Hazelcast or Kafka would on a node
            int port = service.getLocalPort();
            var r = node.run(task("sh", "-c", "nc -w 2 " + gateway() + " " + port + " </dev/null && echo reached || echo refused"));
            assertThat(r.stdout()).contains("refused").doesNotContain("reached");
        }
    }

    @Test
    @DisplayName("a third container sees none of two others' traffic, and cannot open a raw socket to forge or sniff")
    void noSniffing() throws Exception {
        var watcher = start(task("sh", "-c", "cat /sys/class/net/eth0/statistics/rx_bytes; arping -c 1 -w 1 -I eth0 " + gateway()
                + " >/dev/null 2>&1; echo arping=$?; sleep 4; cat /sys/class/net/eth0/statistics/rx_bytes; sleep 30"));
        var sink = start(task("sh", "-c", "nc -l -p 7001 > /dev/null"));
        String sinkIp = sink.task().network().ip();
        var sender = node.run(task("sh", "-c", retry("dd if=/dev/zero bs=64k count=32 2>/dev/null | nc -w 2 " + sinkIp + " 7001")));
        assertThat(sender.exit().code()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> ContainerFixture.read(watcher.allocDir().resolve("stdout.log")).lines().count() >= 3);
        var lines = ContainerFixture.read(watcher.allocDir().resolve("stdout.log")).lines().toList();
        long before = Long.parseLong(lines.get(0)), after = Long.parseLong(lines.get(2));
        assertThat(lines.get(1)).as("arping needs a raw socket").isNotEqualTo("arping=0");
        assertThat(after - before).as("bytes the watcher received while 2 MiB went between two others").isLessThan(64 * 1024);
    }

    @Test
    @DisplayName("everything made for a container goes when it ends: veth, address, port")
    void cleanedUp() throws Exception {
        var s = start(bridged(task("sleep", "30"), new PortSpec("p", 80, 28081)));
        String veth = node.network.leases().get(s.id()).hostVeth();
        try (var rtnl = Rtnl.open()) {
            assertThat(rtnl.link(veth)).isPresent();
            s.task().kill();
            s.task().exit().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> !node.network.leases().containsKey(s.id()));
            node.network.settle();
            assertThat(rtnl.link(veth)).isEmpty();
        }
        try (var again = new ServerSocket()) {
            again.bind(new InetSocketAddress("0.0.0.0", 28081)); // the relay let go of it
        }
    }

    static String readFrom(String host, int port) throws Exception {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
