package dev.berth.scheduler;

import dev.berth.cluster.ClusterSettings;
import dev.berth.model.config.HostPort;
import dev.berth.model.config.Settings;
import dev.berth.model.config.TlsFiles;
import dev.berth.model.spec.FieldError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What {@code berth scheduler} is told: each component is a key of its YAML file and, in
 * kebab-case, a flag ({@code executorPort} / {@code --executor-port}). Read with {@link Settings}.
 *
 * @param bind         every listener binds here (API, Hazelcast, the members' event bus, the executor bridge)
 * @param advertise    what other members and executors are told; default the bind address, or the first non-loopback
 *                     address when binding 0.0.0.0
 * @param join         other members' cluster ports ({@code host:port}, 5701 when left out)
 * @param port         the REST API (0: any free port)
 * @param clusterPort  Hazelcast, members only
 * @param busPort      the clustered event bus between members (0: any free port, for tests)
 * @param executorPort where executors connect (TCP event-bus bridge; -1: none, as in {@code berth up})
 * @param cpMembers    members in the CP group behind the leader lock; null: 3 when three or more members are configured,
 *                     else none (CP's unsafe mode, only for one or two members)
 * @param dataDir      this member's journal goes under {@code <dataDir>/scheduler}; null keeps state in memory only
 * @param nodeTtl      a node silent for this long is marked down
 * @param kafka        bootstrap servers of the usage events; null: no capacity planner
 * @param insecure     allows binding beyond loopback without TLS or tokens (and turns tokens off unless {@code acl} says otherwise)
 * @param maxBodyBytes larger request bodies get 413
 * @param acl          whether the API asks for tokens; null: yes when bound beyond loopback and not insecure
 * @param tlsCa        the cluster's CA: with {@code tlsCert} and {@code tlsKey}, the API speaks HTTPS and the members' bus and
 *                     the executor bridge mutual TLS
 * @param memberGuard  whether an nf_tables table lets only the members reach the cluster and bus ports; null: yes beyond loopback
 * @param jobGcAfter   a job that ended longer ago than this is removed, with its allocations, evaluation and logs
 * @param shareHalfLife how fast a queue's recent usage is forgotten in the fair share: its weight halves every half-life
 * @param containerRange the cluster's container addresses: each node without a subnet of its own is leased a block of it
 * @param nodeSubnetPrefix the size of a node's block (24: 254 containers per node, 256 nodes in a /16)
 */
public record SchedulerConfig(String bind, String advertise, List<String> join, int port, int clusterPort, int busPort, int executorPort,
                              Integer cpMembers, Path dataDir, Duration nodeTtl, String kafka, boolean insecure, String clusterName,
                              long maxBodyBytes, Boolean acl, Path tlsCa, Path tlsCert, Path tlsKey, Boolean memberGuard,
                              Duration jobGcAfter, Duration shareHalfLife, String containerRange, int nodeSubnetPrefix)
        implements Settings.Checked {
    public static final int DEFAULT_PORT = 7070;
    public static final int DEFAULT_CLUSTER_PORT = 5701;

    public SchedulerConfig {
        join = List.copyOf(join);
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig("127.0.0.1", null, List.of(), DEFAULT_PORT, DEFAULT_CLUSTER_PORT, 5702, 4647, null, null,
                Duration.ofSeconds(10), null, false, "berth", 1024 * 1024, null, null, null, null, null, Duration.ofHours(24), Duration.ofHours(24), "10.210.0.0/16", 24);
    }

    /** This config with some keys changed ({@code "port", 0}), checked as a file would be. */
    public SchedulerConfig with(Object... keysAndValues) {
        return Settings.with(this, keysAndValues);
    }

    @Override
    public List<FieldError> problems() {
        var errors = new ArrayList<FieldError>();
        if (!HostPort.isIpv4(bind)) errors.add(new FieldError("bind", "\"" + bind + "\" is not an IPv4 address"));
        if (advertise != null && (!HostPort.isIpv4(advertise) || advertise.equals("0.0.0.0"))) {
            errors.add(new FieldError("advertise", "\"" + advertise + "\" is not an IPv4 address others can reach"));
        }
        for (String j : join) {
            if (HostPort.parse(j, DEFAULT_CLUSTER_PORT) == null) errors.add(new FieldError("join", "\"" + j + "\" is not host or host:port"));
        }
        port(errors, "port", port, 0);
        port(errors, "clusterPort", clusterPort, 1);
        port(errors, "busPort", busPort, 0);
        if (executorPort != -1) port(errors, "executorPort", executorPort, 1);
        if (nodeTtl == null || nodeTtl.isNegative() || nodeTtl.isZero()) errors.add(new FieldError("nodeTtl", "must be more than 0"));
        if (jobGcAfter == null || jobGcAfter.compareTo(Duration.ofSeconds(1)) < 0) errors.add(new FieldError("jobGcAfter", "must be at least 1s"));
        if (shareHalfLife == null || shareHalfLife.compareTo(Duration.ofMinutes(1)) < 0) errors.add(new FieldError("shareHalfLife", "must be at least 1m"));
        try {
            var range = dev.berth.model.net.Subnet.parse(containerRange);
            if (nodeSubnetPrefix < range.prefix() || nodeSubnetPrefix > 30) {
                errors.add(new FieldError("nodeSubnetPrefix", "/" + nodeSubnetPrefix + " must be between the range's /" + range.prefix() + " and /30"));
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            errors.add(new FieldError("containerRange", containerRange == null ? "is required" : e.getMessage()));
        }
        if (errors.isEmpty()) {
            int members = members().size();
            if (cpMembers != null && cpMembers != 0 && cpMembers < 3) {
                errors.add(new FieldError("cpMembers", cpMembers + ": the CP group needs 3 or more members (or 0 for none)"));
            } else if (cpMembers != null && members >= 3 && cpMembers < 3) {
                errors.add(new FieldError("cpMembers", members + " members are configured: Berth will not run its leader lock in CP's unsafe mode"
                        + " with three or more; leave cpMembers out or set it to 3, 5 or 7"));
            } else if (cpMembers != null && cpMembers > members) {
                errors.add(new FieldError("cpMembers", cpMembers + " is more than the " + members + " members configured (this one and join)"));
            }
        }
        errors.addAll(TlsFiles.problems(tlsCa, tlsCert, tlsKey));
        if (!insecure && !loopback() && (tls() == null || !aclEnabled())) {
            errors.add(new FieldError("insecure", "binding " + bind + " beyond loopback needs TLS (--tls-ca, --tls-cert, --tls-key; make them with"
                    + " berth tls) and tokens (acl on)" + (tls() == null ? "; TLS is not set" : "; acl is off")
                    + ". To run without them on a network you trust, pass --insecure (insecure: true)"));
        }
        return errors;
    }

    private static void port(List<FieldError> errors, String key, int value, int min) {
        if (value < min || value > 65535) errors.add(new FieldError(key, value + " is not a port (" + min + "–65535)"));
    }

    /** Whether every listener is on loopback (only this host can reach it). */
    public boolean loopback() {
        return bind.startsWith("127.");
    }

    /** Whether the API asks for tokens: as set, else yes beyond loopback unless insecure. */
    public boolean aclEnabled() {
        return acl != null ? acl : !loopback() && !insecure;
    }

    /** Whether the cluster and bus ports are closed to all but the members: as set, else yes beyond loopback. */
    public boolean memberGuardEnabled() {
        return memberGuard != null ? memberGuard : !loopback();
    }

    /** The members' hosts as the member list names them (this one's advertised address among them). */
    public List<String> memberHosts() {
        return members().stream().map(m -> m.substring(0, m.lastIndexOf(':'))).distinct().toList();
    }

    /** The TLS files, or null for plaintext. */
    public TlsFiles tls() {
        return TlsFiles.of(tlsCa, tlsCert, tlsKey);
    }

    public String advertisedAddress() {
        return HostPort.advertised(bind, advertise);
    }

    /** Every member's cluster address: this one and those it joins, each once. */
    public List<String> members() {
        var all = new LinkedHashSet<String>();
        all.add(advertisedAddress() + ":" + clusterPort);
        join.forEach(j -> all.add(HostPort.parse(j, DEFAULT_CLUSTER_PORT).toString()));
        return List.copyOf(all);
    }

    public int effectiveCpMembers() {
        if (cpMembers != null) return cpMembers;
        return members().size() >= 3 ? 3 : 0;
    }

    public ClusterSettings cluster() {
        return new ClusterSettings(clusterName, bind, advertisedAddress(), clusterPort, busPort, members(), effectiveCpMembers(), tls());
    }

    public Path stateDir() {
        return dataDir == null ? null : dataDir.resolve("scheduler");
    }
}
