package dev.berth.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * Debian hosts for the deploy test: each a privileged Podman container (made through Testcontainers
 * and Podman's Docker-compatible API) with its own root filesystem from debootstrap and systemd as
 * PID 1, on one network of their own. Ansible reaches them through Podman's connection plugin.
 * Closing removes the hosts, the network and the Podman API service this started.
 */
final class TestHosts implements AutoCloseable {
    static final String IMAGE = "localhost/berth-test-host:bookworm";

    /** One host: its name in the inventory, the container, its address on the hosts' network. */
    record Host(String name, GenericContainer<?> container, String address) {
        String id() {
            return container.getContainerId();
        }

        /** Runs a command on the host; fails the test with its output when it exits non-zero. */
        String sh(String command) throws IOException, InterruptedException {
            Container.ExecResult r = container.execInContainer("sh", "-c", command);
            if (r.getExitCode() != 0) {
                throw new IOException(name + ": `" + command + "` exited " + r.getExitCode() + ": " + r.getStdout() + r.getStderr());
            }
            return r.getStdout();
        }

        /** Runs a command on the host and returns its exit code and output, whatever they are. */
        Container.ExecResult run(String command) throws IOException, InterruptedException {
            return container.execInContainer("sh", "-c", command);
        }
    }

    private final Process podmanService;
    private final Path socketDir;
    private final HostNetworkState before;
    private Network network;
    final Map<String, Host> hosts = new LinkedHashMap<>();

    private TestHosts(Process podmanService, Path socketDir, HostNetworkState before) {
        this.podmanService = podmanService;
        this.socketDir = socketDir;
        this.before = before;
    }

    /**
     * What Podman's network backend (netavark) changes on this machine and leaves when its network
     * is gone: IPv4 forwarding turned on, and iptables-nft tables {@code ip filter} and
     * {@code ip nat} with its NETAVARK chains. Read before the first network, put back after.
     */
    record HostNetworkState(String ipForward, boolean filterTable, boolean natTable) {
        static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

        static HostNetworkState read() throws IOException, InterruptedException {
            String tables = exec(List.of("nft", "list", "tables"), Duration.ofSeconds(30));
            return new HostNetworkState(Files.readString(IP_FORWARD).strip(), tables.contains("table ip filter"), tables.contains("table ip nat"));
        }

        /** Forwarding as it was; a table that was not there is removed, one that was loses only netavark's chains. */
        void restore() throws IOException, InterruptedException {
            Files.writeString(IP_FORWARD, ipForward + "\n");
            restoreTable("filter", filterTable);
            restoreTable("nat", natTable);
        }

        private static void restoreTable(String table, boolean existed) throws IOException, InterruptedException {
            if (!exec(List.of("nft", "list", "tables"), Duration.ofSeconds(30)).contains("table ip " + table)) return;
            if (!existed) {
                exec(List.of("nft", "delete", "table", "ip", table), Duration.ofSeconds(30));
                return;
            }
            var rules = exec(List.of("iptables", "-t", table, "-S"), Duration.ofSeconds(30)).lines().toList();
            for (String rule : rules) {
                if (rule.startsWith("-A ") && !rule.startsWith("-A NETAVARK") && rule.contains("NETAVARK")) {
                    var delete = new ArrayList<>(List.of("sh", "-c", "iptables -t " + table + " -D " + rule.substring(3)));
                    exec(delete, Duration.ofSeconds(30));
                }
            }
            for (String rule : rules) {
                if (rule.startsWith("-N NETAVARK")) {
                    String chain = rule.substring(3).strip();
                    exec(List.of("iptables", "-t", table, "-F", chain), Duration.ofSeconds(30));
                    exec(List.of("iptables", "-t", table, "-X", chain), Duration.ofSeconds(30));
                }
            }
        }
    }

    /**
     * Makes the host image when it is missing (ansible/test/host-image.sh), starts Podman's API
     * service on {@code DOCKER_HOST}, and starts a host per name; {@code tmpfsAt} names the hosts
     * that get a tmpfs at {@code /srv/berth} (executors: overlayfs cannot hold a container's upper
     * directory, and the hosts' own root is an overlay).
     */
    static TestHosts start(Path root, List<String> names, List<String> tmpfsAt) throws Exception {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost == null || !dockerHost.startsWith("unix://")) {
            throw new IllegalStateException("DOCKER_HOST must name the unix socket Podman's API service is to listen on (the deploy-tests pom sets it)");
        }
        for (String tool : List.of("podman", "ansible-playbook", "debootstrap")) {
            if (!onPath(tool)) throw new IllegalStateException(tool + " is not installed: ./berth test installs it (apt-get install podman ansible debootstrap)");
        }
        Path script = root.resolve("ansible/test/host-image.sh");
        exec(List.of(script.toString()), Duration.ofMinutes(10));

        Path socket = Path.of(dockerHost.substring("unix://".length()));
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        var before = HostNetworkState.read();
        Process service = new ProcessBuilder("podman", "system", "service", "--time=0", dockerHost)
                .redirectErrorStream(true).redirectOutput(socket.getParent().resolve("service.log").toFile()).start();
        var started = new TestHosts(service, socket.getParent(), before);
        try {
            Awaitility.await("Podman's API socket").atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));
            started.network = Network.newNetwork();
            for (String name : names) started.add(name, tmpfsAt.contains(name));
            return started;
        } catch (Exception | Error e) {
            started.close();
            throw e;
        }
    }

    @SuppressWarnings("resource")
    private void add(String name, boolean tmpfs) throws Exception {
        var c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetwork(network)
                .withNetworkAliases(name)
                .withPrivilegedMode(true)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(name))
                .withStartupTimeout(Duration.ofMinutes(2));
        if (tmpfs) c.withTmpFs(Map.of("/srv/berth", "rw,exec,dev,suid,size=4g"));
        c.start();
        String address = c.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
        var host = new Host(name, c, address);
        hosts.put(name, host);
        Awaitility.await(name + "'s systemd up").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    String state = host.run("systemctl is-system-running").getStdout().strip();
                    return state.equals("running") || state.equals("degraded");
                });
    }

    Host host(String name) {
        return hosts.get(name);
    }

    @Override
    public void close() {
        var problems = new ArrayList<String>();
        for (Host h : hosts.values()) {
            try {
                h.container().stop();
            } catch (RuntimeException e) {
                problems.add(h.name() + ": " + e.getMessage());
            }
        }
        try {
            if (network != null) network.close();
        } catch (RuntimeException e) {
            problems.add("network: " + e.getMessage());
        }
        stop(podmanService);
        try {
            before.restore();
        } catch (IOException e) {
            problems.add("putting back forwarding and the ip filter/nat tables: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(socketDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            problems.add(socketDir + ": " + e.getMessage());
        }
        if (!problems.isEmpty()) throw new IllegalStateException("cleaning up the test hosts: " + problems);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** Runs a command here; fails with its output when it exits non-zero or runs past the timeout. */
    static String exec(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("berth-deploy-exec-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " ran longer than " + timeout + ": " + Files.readString(out));
            }
            String output = Files.readString(out);
            if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + output);
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
