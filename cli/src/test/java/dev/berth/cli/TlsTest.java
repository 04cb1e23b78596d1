package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.cli.client.ApiClient;
import dev.berth.cli.tls.CertificateAuthority;
import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.executor.ExecutorConfig;
import dev.berth.executor.transport.BridgeLink;
import dev.berth.model.bus.Addresses;
import dev.berth.model.config.HostPort;
import dev.berth.model.config.PemTls;
import dev.berth.model.config.TlsFiles;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * TLS on every transport Berth owns, on real sockets: certificates made by {@code berth tls}; the
 * API over HTTPS; the executor bridge over mutual TLS, where a certificate names its node; the
 * members' event bus over mutual TLS between schedulers only. Wrong CAs and wrong roles are refused.
 */
class TlsTest {
    static Path dir;
    static TlsFiles scheduler, executor, cli, otherScheduler, otherExecutor;
    static ClusterMember member;
    static SchedulerVerticle api;
    static int clusterPort, executorPort, busPort;
    static String clusterName = "berth-tls-" + UUID.randomUUID();
    static final List<ClusterMember> extra = new ArrayList<>();
    static final List<Vertx> vertxes = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("berth-tls-");
        Path ours = dir.resolve("ours"), other = dir.resolve("other");
        scheduler = make(ours, "scheduler", "scheduler", true);
        executor = make(ours, "executor", "tls-node", false);
        cli = make(ours, "cli", "alice", false);
        otherScheduler = make(other, "scheduler", "scheduler", true);
        otherExecutor = make(other, "executor", "tls-node", false);
        clusterPort = EndToEndTest.freePort();
        executorPort = EndToEndTest.freePort();
        busPort = EndToEndTest.freePort();
        var config = SchedulerConfig.defaults().with("port", 0, "clusterPort", clusterPort, "busPort", busPort, "executorPort", executorPort,
                "clusterName", clusterName, "tlsCa", scheduler.ca(), "tlsCert", scheduler.cert(), "tlsKey", scheduler.key());
        member = BerthCluster.start(config.cluster()).await(90, TimeUnit.SECONDS);
        api = new SchedulerVerticle(config, member.hazelcast(), Clock.systemUTC());
        member.vertx().deployVerticle(api).await(60, TimeUnit.SECONDS);
        member.vertx().eventBus().consumer("berth.test.tls", m -> m.reply("pong"));
    }

    /** The first call in a dir makes its CA, as a user would: through the CLI. */
    static TlsFiles make(Path d, String role, String name, boolean first) throws Exception {
        if (!Files.exists(d.resolve("ca.pem"))) assertThat(cli("tls", "ca", "create", "--dir", d.toString())).isZero();
        String out = role.equals("executor") && !first ? "executor" : role;
        assertThat(cli("tls", "cert", "create", "--role", role, "--name", name, "--dir", d.toString(), "--host", "127.0.0.1", "--host", "localhost",
                "--out", out)).isZero();
        return new TlsFiles(d.resolve("ca.pem"), d.resolve(out + ".pem"), d.resolve(out + "-key.pem"));
    }

    static int cli(String... args) {
        return Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true), args);
    }

    @AfterAll
    static void down() throws Exception {
        for (Vertx v : vertxes) v.close().await(30, TimeUnit.SECONDS);
        for (ClusterMember m : extra) m.close().await(30, TimeUnit.SECONDS);
        if (member != null) member.close().await(30, TimeUnit.SECONDS);
        TestDirs.delete(dir);
    }

    @Test
    @DisplayName("berth tls: a CA once per dir, keys readable only by their owner, the role and name in the certificate")
    void certificates() throws Exception {
        var err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "tls", "ca", "create", "--dir", dir.resolve("ours").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("has a CA already");
        code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "tls", "cert", "create", "--role", "root", "--dir", dir.resolve("ours").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("role: \"root\" is not one of scheduler, executor, cli");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(executor.key()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ours/ca-key.pem")))).isEqualTo("rw-------");
        var chain = PemTls.certificates(executor.cert());
        var cert = chain.getFirst();
        assertThat(dev.berth.model.config.Peers.identity(cert)).contains(new dev.berth.model.config.Peers.Identity("executor", "tls-node"));
        assertThat(chain).as("the leaf and the executor intermediate").hasSize(2);
        cert.verify(chain.get(1).getPublicKey());
        chain.get(1).verify(PemTls.certificates(executor.ca()).getFirst().getPublicKey());
        assertThat(chain.get(1).getSubjectX500Principal().getName()).contains("OU=executor");
        assertThat(cert.getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList()).contains("127.0.0.1", "localhost");
    }

    @Test
    @DisplayName("the API speaks HTTPS: a client trusting the cluster's CA gets in; one trusting another CA, or speaking plain HTTP, does not")
    void https() throws Exception {
        String address = "https://127.0.0.1:" + api.port();
        var good = new ApiClient(address, null, PemTls.context(cli.ca(), cli.cert(), cli.key()));
        assertThat(new JsonObject(good.get("/health")).getString("status")).isEqualTo("ok");
        var wrong = new ApiClient(address, null, PemTls.context(otherScheduler.ca(), null, null));
        assertThatThrownBy(() -> wrong.get("/health")).isInstanceOf(IOException.class).hasMessageContaining("cannot speak TLS");
        var plain = new ApiClient("http://127.0.0.1:" + api.port());
        assertThatThrownBy(() -> plain.get("/health")).isInstanceOf(IOException.class);
        var out = new StringWriter();
        assertThat(Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "node", "list", "--address", address,
                "--tls-ca", cli.ca().toString())).isZero();
        assertThat(out.toString()).contains("ID");
    }

    @Test
    @DisplayName("the executor bridge: a node's certificate lets it act as that node only; a scheduler's certificate, another CA's, or a node trusting another CA get nothing")
    void bridge() throws Exception {
        var node = link(executor);
        // a registration for another node first: by the time the node's own answers, the other was refused
        node.handle(Addresses.nodeRun("someone-else"), in -> in.reply("should never run"));
        node.handle(Addresses.nodeRun("tls-node"), in -> in.reply("ran"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "ran".equals(ask("tls-node")));
        assertThat(ask("someone-else")).startsWith("failed:");

        for (TlsFiles refused : List.of(scheduler, otherExecutor, new TlsFiles(otherScheduler.ca(), executor.cert(), executor.key()))) {
            var bad = link(refused);
            String address = "tls-refused-" + UUID.randomUUID().toString().substring(0, 8);
            bad.handle(Addresses.nodeRun(address), in -> in.reply("ran"));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> ask(address).startsWith("failed:"));
        }
        var config = ExecutorConfig.of("not-tls-node", dir);
        assertThatThrownBy(() -> config.with("tlsCa", executor.ca(), "tlsCert", executor.cert(), "tlsKey", executor.key()))
                .hasMessageContaining("names node tls-node, not not-tls-node");
        assertThatThrownBy(() -> ExecutorConfig.of("n", dir).with("schedulers", List.of("10.0.0.1")))
                .hasMessageContaining("schedulers beyond loopback need TLS");
    }

    @Test
    @DisplayName("the members' event bus: a member with a scheduler certificate of the CA is reached; one of another CA, or with an executor's certificate, is not")
    void bus() throws Exception {
        assertThat(request(joiner(scheduler))).isEqualTo("pong");
        assertThat(request(joiner(otherScheduler))).as("a member with another CA's scheduler certificate").startsWith("failed:");
        // Berth will not start a member on an executor's certificate; one who dials the bus port with it by hand is refused
        assertThatThrownBy(() -> joiner(executor)).hasMessageContaining("does not hold a scheduler certificate");
        assertThat(staysConnected(scheduler)).as("a scheduler's certificate").isTrue();
        assertThat(staysConnected(executor)).as("an executor's certificate").isFalse();
        assertThat(staysConnected(otherScheduler)).as("another CA's scheduler certificate").isFalse();
    }

    /** Dials the member's bus port with these files by hand: whether the connection holds for 2 s after the handshake. */
    static boolean staysConnected(TlsFiles tls) throws Exception {
        Vertx v = Vertx.vertx();
        vertxes.add(v);
        var client = v.createNetClient(new io.vertx.core.net.NetClientOptions().setSsl(true).setTrustAll(true).setHostnameVerificationAlgorithm("")
                .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString())));
        var closed = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            // the close handler is set on the event loop as the connection completes, before any close can come in
            client.connect(busPort, "127.0.0.1").onSuccess(socket -> socket.closeHandler(x -> closed.set(true))).await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // only a refusal in the handshake counts; anything else is the test's own failure
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException) return false;
            }
            throw e;
        }
        try {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !closed.get());
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    static BridgeLink link(TlsFiles tls) {
        Vertx v = Vertx.vertx();
        vertxes.add(v);
        return v.<BridgeLink>executeBlocking(() -> new BridgeLink(v, List.of(new HostPort("127.0.0.1", executorPort)), tls)).await();
    }

    /** What the node at this id answers to a run command sent from the scheduler member. */
    static String ask(String nodeId) {
        try {
            return String.valueOf(member.vertx().eventBus().request(Addresses.nodeRun(nodeId), new JsonObject(),
                    new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000)).await(5, TimeUnit.SECONDS).body());
        } catch (Exception e) {
            return "failed: " + e.getMessage();
        }
    }

    static ClusterMember joiner(TlsFiles tls) throws Exception {
        var config = SchedulerConfig.defaults().with("port", 0, "clusterPort", EndToEndTest.freePort(), "busPort", 0, "executorPort", -1,
                "clusterName", clusterName, "join", List.of("127.0.0.1:" + clusterPort), "tlsCa", tls.ca(), "tlsCert", tls.cert(), "tlsKey", tls.key());
        var m = BerthCluster.start(config.cluster()).await(90, TimeUnit.SECONDS);
        extra.add(m);
        await().atMost(Duration.ofSeconds(30)).until(() -> member.hazelcast().getCluster().getMembers().size() == 1 + extra.size());
        return m;
    }

    static String request(ClusterMember from) {
        try {
            return String.valueOf(from.vertx().eventBus().request("berth.test.tls", "ping", new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(5000))
                    .await(10, TimeUnit.SECONDS).body());
        } catch (Exception e) {
            return "failed: " + e.getMessage();
        }
    }
}
