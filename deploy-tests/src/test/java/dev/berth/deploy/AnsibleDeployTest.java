package dev.berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Ansible roles for real: three scheduler members (Kafka on the first) and two executors, each
 * a Debian host with systemd made on this machine (see {@link TestHosts}), deployed with
 * {@code site.yml} as a user runs it; a job submitted through the API runs on the executors; the
 * rolling upgrade to a rebuilt jar keeps the API answering and loses no job; a second site.yml
 * changes nothing; uninstall.yml leaves nothing of Berth on the hosts.
 */
class AnsibleDeployTest {
    static final List<String> SCHEDULERS = List.of("s1", "s2", "s3");
    static final List<String> EXECUTORS = List.of("e1", "e2");
    static final String EXECUTOR_DATA = "/srv/berth/lib";

    static Path root, controller, inventory, jar, wrapper;
    static TestHosts hosts;
    static Ansible ansible;

    @BeforeAll
    static void hosts() throws Exception {
        root = Path.of(System.getProperty("berth.root")).toAbsolutePath().normalize();
        jar = Path.of(System.getProperty("berth.jar"));
        assertThat(jar).as("the berth jar (built by the cli module)").exists();
        controller = Files.createTempDirectory("berth-deploy-");
        var all = new ArrayList<>(SCHEDULERS);
        all.addAll(EXECUTORS);
        hosts = TestHosts.start(root, all, EXECUTORS);
        wrapper = controllerBerth();
        inventory = writeInventory(jdkArchive());
        ansible = new Ansible(root.resolve("ansible"), inventory, root.resolve("deploy-tests/target/ansible-logs"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (hosts != null) hosts.close();
        } finally {
            if (controller != null) {
                try (var files = Files.walk(controller)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void deployRunUpgradeAndUninstall() throws Exception {
        ansible.play("site.yml");

        // Every service runs, as the user the roles give it.
        for (String s : SCHEDULERS) {
            assertThat(active(s, "berth-scheduler")).as(s).isEqualTo("active");
            assertThat(serviceUser(s, "berth-scheduler")).as(s + "'s scheduler runs as").isEqualTo("berth");
        }
        assertThat(serviceUser("s1", "berth-kafka")).isEqualTo("berth");
        for (String e : EXECUTORS) assertThat(serviceUser(e, "berth-executor")).as(e + "'s executor runs as").isEqualTo("root");

        var api = new ClusterApi(SCHEDULERS.stream().map(n -> hosts.host(n).address()).toList(),
                controller.resolve("secrets/tls/ca.pem"), Files.readString(controller.resolve("secrets/admin.token")).strip());
        var health = new JsonObject(api.get("/health"));
        assertThat(health.getJsonObject("leader")).as("a leader, named by /health").isNotNull();
        var nodes = new JsonArray(api.get("/v1/nodes"));
        assertThat(nodes.stream().map(n -> ((JsonObject) n).getString("id")).toList()).containsExactlyInAnyOrderElementsOf(EXECUTORS);
        for (Object n : nodes) {
            var node = (JsonObject) n;
            assertThat(node.getString("status")).isEqualTo("ready");
            assertThat(node.getString("address")).isEqualTo(hosts.host(node.getString("id")).address());
            assertThat(node.getJsonObject("labels").getString("zone")).isEqualTo(node.getString("id").equals("e1") ? "a" : "b");
        }

        // An image on both nodes, with the CLI as a user runs it, then a job through the API.
        cli("image", "busybox", "--name", "busybox:1.36");
        String hello = submit(api, batchJob("hello", 4));
        awaitJob(api, hello, "complete", Duration.ofMinutes(3));
        var ran = new JsonArray(api.get("/v1/jobs/" + hello + "/allocations")).stream().map(a -> ((JsonObject) a).getString("nodeId")).distinct().toList();
        assertThat(EXECUTORS).containsAll(ran);
        String web = submit(api, serviceJob("web", 2));
        Awaitility.await("web's two instances running").atMost(Duration.ofMinutes(3)).until(() -> running(api, web) == 2);
        // Usage goes through the deployed Kafka: the executors produce it, the members' planner reads it back.
        String webAlloc = new JsonArray(api.get("/v1/jobs/" + web + "/allocations")).stream().map(o -> (JsonObject) o)
                .filter(o -> o.getString("status").equals("running")).findFirst().orElseThrow().getString("id");
        Awaitility.await("usage of " + webAlloc + " read back from Kafka").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .until(() -> new JsonObject(api.get("/v1/allocations/" + webAlloc + "/usage")).getJsonArray("points").size() > 0);

        // The rolling upgrade, to a rebuilt jar, while the API is read all along and jobs keep coming.
        Path rebuilt = rebuiltJar();
        var probe = api.probe();
        var submitted = new CopyOnWriteArrayList<String>();
        var submitting = new AtomicBoolean(true);
        var submitFailures = new CopyOnWriteArrayList<String>();
        Thread submitter = Thread.ofPlatform().name("deploy-submitter").start(() -> {
            int i = 0;
            while (submitting.get()) {
                try {
                    submitted.add(submit(api, batchJob("during-upgrade-" + i++, 1)));
                } catch (IOException e) {
                    submitFailures.add(e.getMessage());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(3_000_000_000L);
            }
        });
        Ansible.Run upgrade;
        try {
            upgrade = ansible.play("rolling-upgrade.yml", "-e", "berth_jar=" + rebuilt);
        } finally {
            submitting.set(false);
            submitter.join();
            probe.stop();
        }
        System.out.println("rolling upgrade: " + probe + "; " + submitted.size() + " jobs submitted meanwhile");
        assertThat(probe.failures).as("API requests no member answered during the upgrade (" + probe + ")").isEmpty();
        assertThat(probe.total.get()).as("requests made during the upgrade").isGreaterThan(100);
        assertThat(submitFailures).as("submissions refused during the upgrade").isEmpty();
        assertThat(submitted).hasSizeGreaterThan(5);
        String newSha = sha256(rebuilt);
        for (TestHosts.Host h : hosts.hosts.values()) {
            assertThat(h.sh("sha256sum /opt/berth/berth.jar").split(" ")[0]).as(h.name() + "'s jar").isEqualTo(newSha);
            assertThat(upgrade.changed(h.name())).as(h.name() + " was upgraded").isPositive();
        }
        // Every member restarted on the new jar: its process started after the jar was installed.
        for (String s : SCHEDULERS) assertThat(startedAfterJar(s, "berth-scheduler")).as(s + " restarted on the new jar").isTrue();
        for (String e : EXECUTORS) assertThat(startedAfterJar(e, "berth-executor")).as(e + " restarted on the new jar").isTrue();
        // Each restarted member took a seat in the CP group again (else the third restart would have left no leader lock).
        for (String s : SCHEDULERS) {
            Awaitility.await(s + " promoted to a CP member").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> hosts.host(s).run("journalctl -u berth-scheduler --no-pager | grep -c 'this member is a CP member now'").getStdout().strip(),
                            n -> !n.isEmpty() && Integer.parseInt(n) >= 1);
        }
        // No job lost: everything submitted before and during the upgrade ended well, web still runs twice.
        for (String id : submitted) awaitJob(api, id, "complete", Duration.ofMinutes(3));
        assertThat(new JsonObject(api.get("/v1/jobs/" + hello)).getString("status")).isEqualTo("complete");
        Awaitility.await("web's two instances running after the upgrade").atMost(Duration.ofMinutes(2)).until(() -> running(api, web) == 2);
        for (Object n : new JsonArray(api.get("/v1/nodes"))) assertThat(((JsonObject) n).getString("status")).isEqualTo("ready");

        // The same inventory again: nothing to change.
        var again = ansible.play("site.yml", "-e", "berth_jar=" + rebuilt);
        for (TestHosts.Host h : hosts.hosts.values()) assertThat(again.changed(h.name())).as(h.name() + ": changed by a second site.yml").isZero();

        // Uninstall: nothing of Berth is left on any host.
        ansible.play("uninstall.yml");
        for (TestHosts.Host h : hosts.hosts.values()) {
            String left = h.sh("""
                    for p in /opt/berth /etc/berth /var/lib/berth %s /usr/local/bin/berth /etc/systemd/system/berth-scheduler.service \
                        /etc/systemd/system/berth-executor.service /etc/systemd/system/berth-kafka.service; do [ -e "$p" ] && echo "file $p"; done
                    getent passwd berth >/dev/null && echo "user berth"
                    ps -eo args= | grep -v grep | grep -q '[b]erth.jar' && echo "a berth process"
                    for d in /sys/fs/cgroup/*/berth /sys/fs/cgroup/berth; do [ -d "$d" ] && echo "cgroup $d"; done
                    ip -o link show | awk -F': ' '{print $2}' | grep -E '^(bv|berth)' | sed 's/^/link /'
                    grep -q ' %s' /proc/self/mountinfo && echo "a mount under the data dir"
                    true
                    """.formatted(EXECUTOR_DATA, EXECUTOR_DATA));
            assertThat(left).as(h.name() + " after uninstall.yml").isBlank();
        }
    }

    static String submit(ClusterApi api, String json) throws IOException {
        return new JsonObject(api.post("/v1/jobs", json)).getString("id");
    }

    static void awaitJob(ClusterApi api, String id, String status, Duration within) {
        Awaitility.await("job " + id + " " + status).atMost(within).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> {
                    String now = new JsonObject(api.get("/v1/jobs/" + id)).getString("status");
                    if (now.equals("failed") || now.equals("lost")) throw new AssertionError("job " + id + " is " + now + ": " + api.get("/v1/jobs/" + id + "/allocations"));
                    return now.equals(status);
                });
    }

    static long running(ClusterApi api, String job) throws IOException {
        return new JsonArray(api.get("/v1/jobs/" + job + "/allocations")).stream()
                .filter(a -> ((JsonObject) a).getString("status").equals("running")).count();
    }

    static String batchJob(String name, int count) {
        return new JsonObject().put("name", name).put("type", "batch").put("groups", new JsonArray().add(new JsonObject()
                .put("name", "g").put("count", count).put("tasks", new JsonArray().add(new JsonObject()
                        .put("name", "t").put("image", "busybox:1.36").put("command", new JsonArray().add("sh").add("-c").add("echo hello from $(hostname); sleep 1"))
                        .put("resources", new JsonObject().put("cpu", "100m").put("memory", "32Mi")))))).encode();
    }

    static String serviceJob(String name, int count) {
        return new JsonObject().put("name", name).put("type", "service").put("groups", new JsonArray().add(new JsonObject()
                .put("name", "g").put("count", count).put("tasks", new JsonArray().add(new JsonObject()
                        .put("name", "t").put("image", "busybox:1.36").put("command", new JsonArray().add("sleep").add("3600"))
                        .put("killTimeout", "2s").put("resources", new JsonObject().put("cpu", "100m").put("memory", "32Mi")))))).encode();
    }

    static String active(String host, String unit) throws Exception {
        return hosts.host(host).run("systemctl is-active " + unit).getStdout().strip();
    }

    static String serviceUser(String host, String unit) throws Exception {
        return hosts.host(host).sh("stat -c %U /proc/$(systemctl show -p MainPID --value " + unit + ")").strip();
    }

    /**
     * Whether the unit's process runs the jar now at /opt/berth/berth.jar: the JVM holds its jar
     * open, and a process started before the upgrade holds the replaced file, "(deleted)".
     */
    static boolean startedAfterJar(String host, String unit) throws Exception {
        String held = hosts.host(host).sh("pid=$(systemctl show -p MainPID --value " + unit + "); for f in /proc/$pid/fd/*; do readlink \"$f\"; done | grep berth.jar | sort -u || true");
        return held.strip().equals("/opt/berth/berth.jar");
    }

    /** Runs the controller's berth (the CLI a user has) against the cluster. */
    static void cli(String... args) throws Exception {
        var command = new ArrayList<>(List.of(wrapper.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--address", "https://" + hosts.host("s1").address() + ":7070",
                "--tls-ca", controller.resolve("secrets/tls/ca.pem").toString(),
                "--token", Files.readString(controller.resolve("secrets/admin.token")).strip()));
        TestHosts.exec(command, Duration.ofMinutes(3));
    }

    /** The same jar with one more entry: a new build as far as every checksum can tell. */
    static Path rebuiltJar() throws Exception {
        Path dir = controller.resolve("rebuild");
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/berth-build"), "rebuilt for the upgrade test at " + java.time.Instant.now() + "\n");
        Path rebuilt = controller.resolve("berth-rebuilt.jar");
        Files.copy(jar, rebuilt);
        TestHosts.exec(List.of(javaHome().resolve("bin/jar").toString(), "--update", "--file", rebuilt.toString(), "-C", dir.toString(), "META-INF/berth-build"),
                Duration.ofMinutes(2));
        assertThat(sha256(rebuilt)).isNotEqualTo(sha256(jar));
        return rebuilt;
    }

    static String sha256(Path file) throws Exception {
        var md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static Path javaHome() {
        return Path.of(System.getProperty("berth.java.home"));
    }

    /** This JDK as the archive the roles unpack on every host (kept in target/ between runs). */
    static Path jdkArchive() throws Exception {
        Path archive = root.resolve("deploy-tests/target/jdk.tar.gz");
        Path home = javaHome();
        if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(home.resolve("release"))) < 0) {
            TestHosts.exec(List.of("tar", "-C", home.getParent().toString(), "--exclude=lib/src.zip", "--exclude=jmods", "--exclude=man",
                    "-czf", archive.toString(), home.getFileName().toString()), Duration.ofMinutes(5));
        }
        return archive;
    }

    /** The controller's berth: this JDK and the jar under test, as the inventory's berth_controller_berth. */
    static Path controllerBerth() throws IOException {
        Path script = controller.resolve("berth");
        Files.writeString(script, "#!/bin/sh\nexec " + javaHome().resolve("bin/java")
                + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar " + jar + " \"$@\"\n");
        script.toFile().setExecutable(true);
        return script;
    }

    static Path writeInventory(Path jdk) throws IOException {
        var y = new StringBuilder();
        y.append("all:\n  vars:\n");
        y.append("    ansible_connection: containers.podman.podman\n");
        y.append("    ansible_python_interpreter: /usr/bin/python3\n");
        y.append("    berth_jar: ").append(jar).append('\n');
        y.append("    berth_jdk_archive: ").append(jdk).append('\n');
        y.append("    berth_controller_dir: ").append(controller.resolve("secrets")).append('\n');
        y.append("    berth_controller_berth: ").append(wrapper).append('\n');
        y.append("    berth_java_opts: -Xmx384m\n");
        y.append("  children:\n    berth_schedulers:\n      hosts:\n");
        for (String s : SCHEDULERS) host(y, s, "");
        y.append("    berth_kafka:\n      hosts:\n        s1:\n");
        y.append("    berth_executors:\n      hosts:\n");
        for (String e : EXECUTORS) {
            host(y, e, "          berth_data_dir: " + EXECUTOR_DATA + "\n          berth_executor_labels: {zone: " + (e.equals("e1") ? "a" : "b") + "}\n"
                    + "          berth_executor_cpu: 1\n          berth_executor_memory: 2Gi\n");
        }
        Path file = controller.resolve("hosts.yml");
        Files.writeString(file, y.toString());
        return file;
    }

    private static void host(StringBuilder y, String name, String more) {
        var h = hosts.host(name);
        y.append("        ").append(name).append(":\n");
        y.append("          ansible_host: ").append(h.id()).append('\n');
        y.append("          berth_address: ").append(h.address()).append('\n');
        y.append(more);
    }
}
