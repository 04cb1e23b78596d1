package dev.berth.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Berth cluster of separate processes on one machine: scheduler members on hosts
 * {@code 10.213.0.1…} and executors on {@code 10.213.0.11…}, each in its own network namespace,
 * started as a user starts them ({@code berth scheduler …}, {@code berth executor …}), with TLS
 * and tokens on: a CA of the cluster's own, a certificate per host, and the bootstrap token, which
 * every API call of the harness sends. Closing
 * stops every process, lets each executor that was killed start once more to remove what it left
 * (its containers and cgroups), and removes the hosts, the switch and the data. The base of the
 * chaos suites: faults are processes killed, paused or cut off.
 */
final class ChaosCluster implements AutoCloseable {
    static final int API = 7070;

    final Path dir;
    final TestNet net;
    final int schedulers;
    final Map<String, BerthProcess> processes = new LinkedHashMap<>();
    final Map<String, List<String>> commands = new LinkedHashMap<>();
    final Map<String, TestNet.Host> hosts = new LinkedHashMap<>();
    private final List<String> killedExecutors = new ArrayList<>();
    final Path pki;
    private final dev.berth.cli.tls.CertificateAuthority ca;
    private final HttpClient http;
    private String token;

    ChaosCluster(int schedulers) throws IOException {
        this.dir = Files.createTempDirectory("berth-chaos-");
        this.schedulers = schedulers;
        this.pki = dir.resolve("pki");
        try {
            this.ca = dev.berth.cli.tls.CertificateAuthority.create(pki, Duration.ofDays(1));
            this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .sslContext(dev.berth.model.config.PemTls.context(pki.resolve("ca.pem"), null, null)).build();
            this.net = new TestNet();
        } catch (IOException | RuntimeException e) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            throw e;
        }
    }

    /** The TLS flags of a host's process: its certificate (made once, for its address) and the cluster's CA. */
    private List<String> tls(String name, String role, String address) throws IOException {
        if (!Files.exists(pki.resolve(name + ".pem"))) ca.issue(pki, role, name, List.of(address), name, Duration.ofDays(1));
        return List.of("--tls-ca", pki.resolve("ca.pem").toString(), "--tls-cert", pki.resolve(name + ".pem").toString(),
                "--tls-key", pki.resolve(name + "-key.pem").toString());
    }

    /** The cluster's admin token: bootstrapped at the first call, on the first member that answers. */
    synchronized String token() throws IOException, InterruptedException {
        if (token != null) return token;
        for (int i = 1; i <= schedulers; i++) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(api(i) + "/v1/acl/bootstrap")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201) throw new IOException("bootstrap on member " + i + ": " + r.statusCode() + " " + r.body());
                token = new JsonObject(r.body()).getString("secret");
                return token;
            } catch (java.net.ConnectException | java.net.http.HttpTimeoutException notThere) {
                // the next member
            }
        }
        throw new IOException("no scheduler member answered the bootstrap");
    }

    /** {@code berth ARGS…} here, as a user with the cluster's CA and token. */
    String cli(String... args) throws IOException, InterruptedException {
        var all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--tls-ca", pki.resolve("ca.pem").toString(), "--token", token()));
        return BerthProcess.run(all);
    }

    private HttpRequest.Builder request(String url, Duration timeout) throws IOException, InterruptedException {
        return HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Authorization", "Bearer " + token());
    }

    static String schedulerAddress(int i) {
        return TestNet.PREFIX + i;
    }

    /** Scheduler member {@code i} (1-based), joining the others; node TTL {@code ttl}. */
    BerthProcess startScheduler(int i, String ttl) throws IOException {
        String name = "s" + i;
        var host = hosts.containsKey(name) ? hosts.get(name) : net.host(name, i);
        hosts.put(name, host);
        var args = new ArrayList<>(List.of("scheduler", "--bind", host.address(), "--node-ttl", ttl,
                "--data-dir", dir.resolve(name).toString()));
        args.addAll(tls(name, "scheduler", host.address()));
        for (int j = 1; j <= schedulers; j++) if (j != i) args.addAll(List.of("--join", schedulerAddress(j) + ":5701"));
        return start(name, host, args);
    }

    /** Executor {@code i} (1-based) connecting to every scheduler member, with its own cgroup parent, bridge and data dir. */
    BerthProcess startExecutor(int i) throws IOException, InterruptedException {
        return startExecutor(i, 1);
    }

    /** ... listing scheduler member {@code first} first: the one it connects to while that member answers. */
    BerthProcess startExecutor(int i, int first) throws IOException, InterruptedException {
        return startExecutor(i, first, List.of());
    }

    static final String KAFKA = TestNet.PREFIX + 30 + ":9092";

    static final String OUTSIDER = TestNet.PREFIX + 40;
    /** Executors started from now on take a block of the schedulers' container range rather than 10.212.N.0/24 of their own. */
    boolean leasedSubnets;

    /** A host on the test switch that is no Berth node ({@link #OUTSIDER}), with a {@link PeerEcho} on port 9000. */
    BerthProcess startOutsider() throws IOException {
        var host = net.host("x1", 40);
        hosts.put("x1", host);
        var p = BerthProcess.startMain("x1", host, dir.resolve("x1.log"), PeerEcho.class, List.of("9000"));
        processes.put("x1", p);
        return p;
    }

    /** The Kafka broker, on host {@code k1} ({@link #KAFKA}); started again on the same data and ports. */
    BerthProcess startKafka() throws IOException {
        var host = hosts.containsKey("k1") ? hosts.get("k1") : net.host("k1", 30);
        hosts.put("k1", host);
        var p = BerthProcess.startMain("k1", host, dir.resolve("k1-" + (processes.containsKey("k1") ? "again" : "first") + ".log"), KafkaHost.class,
                List.of(dir.resolve("k1").toString(), "9092", host.address()));
        processes.put("k1", p);
        return p;
    }

    /** ... with more flags ({@code --kafka}, {@code --config}). */
    BerthProcess startExecutor(int i, int first, List<String> extra) throws IOException, InterruptedException {
        String name = "e" + i;
        var host = hosts.containsKey(name) ? hosts.get(name) : net.host(name, 10 + i);
        Path data = dir.resolve(name);
        if (!hosts.containsKey(name)) BerthProcess.run(List.of("image", "busybox", "--data-dir", data.toString(), "--name", "busybox"));
        hosts.put(name, host);
        var args = new ArrayList<>(List.of("executor", "--node-id", name, "--bind", host.address(), "--data-dir", data.toString(),
                "--cgroup-parent", "berth-chaos-" + name, "--bridge", "berth-c" + i, "--cpu", "1", "--memory", "2Gi"));
        if (!leasedSubnets) args.addAll(List.of("--subnet", "10.212." + i + ".0/24"));
        args.addAll(tls(name, "executor", host.address()));
        for (int k = 0; k < schedulers; k++) args.addAll(List.of("--schedulers", schedulerAddress((first - 1 + k) % schedulers + 1)));
        args.addAll(extra);
        return start(name, host, args);
    }

    private BerthProcess start(String name, TestNet.Host host, List<String> args) throws IOException {
        commands.put(name, args);
        var p = BerthProcess.start(name, host, dir.resolve(name + "-" + (processes.containsKey(name) ? "again" : "first") + ".log"), args);
        processes.put(name, p);
        return p;
    }

    /** What a process of the cluster printed so far (its latest run). */
    String processOutput(String name) {
        return processes.get(name).output();
    }

    /** kill -9 of a member's process. */
    void kill(String name) throws InterruptedException {
        processes.get(name).kill();
        if (name.startsWith("e")) killedExecutors.add(name);
    }

    /**
     * Cuts member {@code name} off from the hosts at {@code addresses}, both ways, with an nf_tables
     * table in that host's own namespace (gone with it); other traffic, the test's included, flows.
     */
    void cut(String name, List<String> addresses) throws IOException, InterruptedException {
        String set = String.join(", ", addresses);
        nft(name, "add table inet berth_chaos_cut");
        nft(name, "add chain inet berth_chaos_cut in { type filter hook input priority -10; }");
        nft(name, "add chain inet berth_chaos_cut out { type filter hook output priority -10; }");
        nft(name, "add rule inet berth_chaos_cut in ip saddr { " + set + " } drop");
        nft(name, "add rule inet berth_chaos_cut out ip daddr { " + set + " } drop");
    }

    void heal(String name) throws IOException, InterruptedException {
        nft(name, "delete table inet berth_chaos_cut");
    }

    /** The nf_tables tables in a host's namespace, as {@code nft list tables} prints them. */
    String tables(String host) throws IOException, InterruptedException {
        return inHost(host, "nft", "list", "tables");
    }

    /** A command's output, run in a host's network namespace (the tools of a test: ip, nft, cat); fails with it when it fails. */
    String inHost(String host, String... command) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("nsenter", "--net=" + hosts.get(host).nsPath()));
        cmd.addAll(List.of(command));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** Whether a TCP connection from inside {@code host} to {@code address:port} is taken (within 3 s). */
    boolean connectsFrom(String host, String address, int port) throws IOException, InterruptedException {
        var p = new ProcessBuilder("nsenter", "--net=" + hosts.get(host).nsPath(), "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + address + "/" + port).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** SIGSTOP: the process stays, frozen, holding its sockets; {@link #resume} wakes it. */
    void pause(String name) throws IOException, InterruptedException {
        signal(name, "STOP");
    }

    void resume(String name) throws IOException, InterruptedException {
        signal(name, "CONT");
    }

    private void signal(String name, String signal) throws IOException, InterruptedException {
        var p = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes.get(name).pid())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("kill -" + signal + " " + name + ": " + out);
    }

    /**
     * Drops {@code percent} of a host's packets at random, both ways, with an nf_tables table in its
     * namespace ({@code numgen random}). Loss, not delay: this machine's kernel has no netem
     * (CONFIG_NET_SCH_NETEM is not set), and nothing else in the kernel holds packets back.
     */
    void lossy(String name, int percent) throws IOException, InterruptedException {
        nft(name, "add table inet berth_chaos_loss");
        nft(name, "add chain inet berth_chaos_loss in { type filter hook input priority -20; }");
        nft(name, "add chain inet berth_chaos_loss out { type filter hook output priority -20; }");
        nft(name, "add rule inet berth_chaos_loss in iifname eth0 numgen random mod 100 < " + percent + " drop");
        nft(name, "add rule inet berth_chaos_loss out oifname eth0 numgen random mod 100 < " + percent + " drop");
    }

    void lossless(String name) throws IOException, InterruptedException {
        nft(name, "delete table inet berth_chaos_loss");
    }

    /** What every executor recorded it ran ({@code runs.jsonl} under its data dir). */
    History history() throws IOException {
        var runs = new java.util.TreeMap<String, Path>();
        for (String name : processes.keySet()) if (name.startsWith("e")) runs.put(name, dir.resolve(name).resolve("runs.jsonl"));
        return History.read(runs);
    }

    /** SIGTERM to a member's process, as systemd stops it; SIGKILL after {@code seconds}. */
    void stop(String name, int seconds) throws InterruptedException {
        processes.get(name).stop(seconds);
    }

    private void nft(String host, String command) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("nft"));
        cmd.addAll(List.of(command.split(" ")));
        inHost(host, cmd.toArray(String[]::new));
    }

    /** POST /v1/jobs; the status code and body, whatever they are. */
    HttpResponse<String> trySubmit(String base, String json) throws IOException, InterruptedException {
        return http.send(request(base + "/v1/jobs", Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String api(int scheduler) {
        return "https://" + schedulerAddress(scheduler) + ":" + API;
    }

    String get(String base, String path) throws IOException, InterruptedException {
        var r = http.send(request(base + path, Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400) throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** DELETE {@code path}; the status code and body, whatever they are. */
    HttpResponse<String> delete(String base, String path) throws IOException, InterruptedException {
        return http.send(request(base + path, Duration.ofSeconds(10)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    String submit(String base, String json) throws IOException, InterruptedException {
        var r = http.send(request(base + "/v1/jobs", Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IOException("POST /v1/jobs: " + r.statusCode() + " " + r.body());
        return new JsonObject(r.body()).getString("id");
    }

    /**
     * POST /v1/jobs, trying again (up to five times) only when the connection could not be made:
     * nothing was sent then, so no job can be made twice. What a client on a lossy network does.
     */
    String submitRetryingConnect(String base, String json) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return submit(base, json);
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
                if (attempt == 5) throw e;
            }
        }
    }

    JsonObject job(String base, String id) throws IOException, InterruptedException {
        return new JsonObject(get(base, "/v1/jobs/" + id));
    }

    JsonArray allocations(String base, String job) throws IOException, InterruptedException {
        return new JsonArray(get(base, "/v1/jobs/" + job + "/allocations"));
    }

    /** The member's {@code /health} (open, no token), or null while it does not answer. */
    JsonObject health(int scheduler) {
        try {
            var r = http.send(HttpRequest.newBuilder(URI.create(api(scheduler) + "/health")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The member that says it leads, or 0 while none does or the members disagree on who. */
    int leader() {
        var named = new ArrayList<String>();
        int leading = 0;
        for (int i = 1; i <= schedulers; i++) {
            var h = health(i);
            if (h == null) continue;
            if (h.getBoolean("leading", false)) leading = i;
            if (h.getJsonObject("leader") != null) named.add(h.getJsonObject("leader").getString("api"));
        }
        if (leading == 0) return 0;
        String api = api(leading);
        return named.stream().allMatch(api::equals) ? leading : 0;
    }

    List<String> readyNodes(String api) throws IOException, InterruptedException {
        return new JsonArray(get(api, "/v1/nodes")).stream().map(n -> (JsonObject) n)
                .filter(n -> n.getString("status").equals("ready")).map(n -> n.getString("id")).toList();
    }

    /** Every process's output, for a failed test's report. */
    String logs() {
        var b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(f);
                b.append("\n===== ").append(f.getFileName()).append(" (last 60 lines)\n");
                var lines = text.lines().toList();
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> b.append(l).append('\n'));
            }
        } catch (IOException e) {
            b.append("(logs unreadable: ").append(e.getMessage()).append(")");
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            for (var p : processes.entrySet()) if (p.getKey().startsWith("e")) p.getValue().terminate();
            for (var p : processes.entrySet()) if (p.getKey().startsWith("e")) p.getValue().awaitEnd(60);
            // an executor killed with -9 left its containers running: its next start removes them, as on a real host
            for (String name : killedExecutors) {
                var again = BerthProcess.start(name, hosts.get(name), dir.resolve(name + "-cleanup.log"), commands.get(name));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !again.alive() || again.output().contains("Berth executor up"));
                again.stop(60);
            }
            // every member at once: one leaving alone waits for a CP majority that those gone before no longer give
            for (var p : processes.entrySet()) if (p.getKey().startsWith("s")) p.getValue().terminate();
            for (var p : processes.entrySet()) if (p.getKey().startsWith("s")) p.getValue().awaitEnd(30);
            for (var p : processes.entrySet()) if (p.getKey().startsWith("k") || p.getKey().startsWith("x")) p.getValue().stop(30);
        } finally {
            try {
                net.close();
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
