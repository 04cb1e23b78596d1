package dev.berth.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test switch and the "hosts" on it: a bridge {@code berth-chaos} in this machine's namespace
 * with {@code 10.213.0.254/24}, and per host a network namespace {@code berth-chaos-NAME} whose
 * {@code eth0} has {@code 10.213.0.N/24} and whose host-side veth {@code bvchaosN} is a port of the
 * switch. Traffic stays between these addresses: nothing routes or forwards it anywhere else.
 * Built with {@code ip} (tests may; the product never does), removed on close, and what a killed
 * earlier run left under these names is removed first.
 */
final class TestNet implements AutoCloseable {
    static final String SWITCH = "berth-chaos";
    static final String PREFIX = "10.213.0.";

    private final List<Host> hosts = new ArrayList<>();

    /** One machine of the test cluster. */
    record Host(String name, String address, String netns) {
        String nsPath() {
            return "/run/netns/" + netns;
        }
    }

    TestNet() throws IOException {
        removeLeftovers();
        ip("link", "add", SWITCH, "type", "bridge");
        ip("addr", "add", PREFIX + "254/24", "dev", SWITCH);
        ip("link", "set", SWITCH, "up");
    }

    Host host(String name, int n) throws IOException {
        var host = new Host(name, PREFIX + n, "berth-chaos-" + name);
        String veth = "bvchaos" + n;
        ip("netns", "add", host.netns());
        hosts.add(host);
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.netns());
        ip("link", "set", veth, "master", SWITCH, "up");
        ip("-n", host.netns(), "addr", "add", host.address() + "/24", "dev", "eth0");
        ip("-n", host.netns(), "link", "set", "eth0", "up");
        ip("-n", host.netns(), "link", "set", "lo", "up");
        return host;
    }

    /**
     * Removes the hosts and the switch, and waits until the kernel has let the hosts' namespaces go:
     * it frees a deleted namespace (and so the host-side veth) a little later, on its own.
     */
    @Override
    public void close() throws IOException {
        for (Host h : hosts) quietly("netns", "del", h.netns());
        quietly("link", "del", SWITCH);
        org.awaitility.Awaitility.await("the test hosts' veths are gone").atMost(java.time.Duration.ofSeconds(180))
                .pollInterval(java.time.Duration.ofMillis(250)).until(() -> veths().isEmpty());
    }

    private static void removeLeftovers() throws IOException {
        var out = run(List.of("ip", "netns", "list"), true);
        for (String line : out.split("\n")) {
            String ns = line.split(" ")[0];
            if (ns.startsWith("berth-chaos-")) quietly("netns", "del", ns);
        }
        for (String veth : veths()) quietly("link", "del", veth);
        quietly("link", "del", SWITCH);
    }

    /** Host-side veths of test hosts that still exist. */
    private static List<String> veths() throws IOException {
        var names = new ArrayList<String>();
        for (String line : run(List.of("ip", "-o", "link", "show"), true).split("\n")) {
            String[] f = line.split(": ");
            if (f.length > 1 && f[1].startsWith("bvchaos")) names.add(f[1].split("@")[0]);
        }
        return names;
    }

    static void ip(String... args) throws IOException {
        var cmd = new ArrayList<String>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        run(cmd, false);
    }

    private static void quietly(String... args) {
        try {
            var cmd = new ArrayList<String>();
            cmd.add("ip");
            cmd.addAll(List.of(args));
            run(cmd, true);
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static String run(List<String> cmd, boolean mayFail) throws IOException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0 && !mayFail) throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.trim());
        return out;
    }
}
