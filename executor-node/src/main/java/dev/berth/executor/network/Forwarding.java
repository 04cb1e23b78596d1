package dev.berth.executor.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's IPv4 forwarding, turned on when a node first routes to other nodes' containers and
 * put back as it was when the node stops. What it was is kept in a file of the node's state, so
 * that a node that crashed in between still puts it back on its next clean stop.
 */
final class Forwarding {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarding.class);
    static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/ip_forward");
    static final String BEFORE = "ip_forward.before";

    private Forwarding() {
    }

    static void enable(Path stateDir) throws IOException {
        String now = Files.readString(SYSCTL).strip();
        if (now.equals("1")) return;
        Path before = stateDir.resolve(BEFORE);
        if (!Files.exists(before)) Files.writeString(before, now + "\n");
        Files.writeString(SYSCTL, "1\n");
        LOG.info("IPv4 forwarding on (was {}), to route between this node's containers and other nodes'", now);
    }

    static void restore(Path stateDir) throws IOException {
        Path before = stateDir.resolve(BEFORE);
        if (!Files.exists(before)) return;
        String was = Files.readString(before).strip();
        Files.writeString(SYSCTL, was + "\n");
        Files.delete(before);
        LOG.info("IPv4 forwarding put back to {}", was);
    }
}
