package dev.berth.cli;

import dev.berth.cluster.BerthCluster;
import dev.berth.cluster.ClusterMember;
import dev.berth.executor.netlink.MemberGuard;
import dev.berth.scheduler.SchedulerConfig;
import dev.berth.scheduler.SchedulerVerticle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "scheduler", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one scheduler member of a cluster: the API, the cluster state (Hazelcast), placement while it leads,",
                "and the port executors connect to. Every flag is also a key of the --config file (camelCase); a flag wins."})
final class SchedulerCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "settings file (YAML): bind, advertise, join, port, …")
    Path config;
    @Option(names = "--bind", paramLabel = "ADDR", description = "every listener binds here (default 127.0.0.1)")
    String bind;
    @Option(names = "--advertise", paramLabel = "ADDR", description = "what members and executors are told (default: the bind address, or the first non-loopback one for 0.0.0.0)")
    String advertise;
    @Option(names = "--join", paramLabel = "HOST:PORT", description = "another member's cluster port (repeatable)")
    List<String> join = new ArrayList<>();
    @Option(names = "--port", paramLabel = "PORT", description = "API port (default 7070)")
    String port;
    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Hazelcast, between members (default 5701)")
    String clusterPort;
    @Option(names = "--bus-port", paramLabel = "PORT", description = "clustered event bus, between members (default 5702)")
    String busPort;
    @Option(names = "--executor-port", paramLabel = "PORT", description = "where executors connect (default 4647)")
    String executorPort;
    @Option(names = "--cp-members", paramLabel = "N", description = "members in the CP group behind the leader lock (default 3 with three or more members)")
    String cpMembers;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "this member's journal (default /var/lib/berth as root, else ~/.berth)")
    Path dataDir;
    @Option(names = "--node-ttl", paramLabel = "DURATION", description = "a node silent this long is down (default 10s)")
    String nodeTtl;

    @picocli.CommandLine.Mixin ClusterPolicyOptions clusterPolicy;
    @Option(names = "--kafka", paramLabel = "HOST:PORT,…", description = "Kafka brokers for the capacity planner")
    String kafka;
    @Option(names = "--acl", negatable = true, description = "ask API requests for tokens (default: on beyond loopback unless --insecure)")
    Boolean acl;
    @picocli.CommandLine.Mixin TlsOptions tls;
    @Option(names = "--member-guard", negatable = true, description = "let only the members reach the cluster and bus ports (nf_tables; default: on beyond loopback)")
    Boolean memberGuard;
    @Option(names = "--insecure", description = "beyond loopback, run without TLS and (unless --acl) without tokens, on a network you trust")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var defaults = SchedulerConfig.defaults().with("dataDir", UpCommand.defaultDataDir());
        SchedulerConfig settings = Flags.read(defaults, config, Flags.given(spec));
        warnIfOpen(out, settings);
        MemberGuard guard = settings.memberGuardEnabled() ? guard(settings) : null;
        ClusterMember member;
        SchedulerVerticle scheduler;
        try {
            member = BerthCluster.start(settings.cluster()).await(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            unguard(guard);
            throw new IOException("cannot join the cluster: " + UpCommand.rootMessage(e), e);
        }
        try {
            scheduler = new SchedulerVerticle(settings, member.hazelcast(), Clock.systemUTC());
            out.println("Joined the cluster; serving once a majority of the members is there…");
            out.flush();
            member.vertx().deployVerticle(scheduler).await();
        } catch (Exception e) {
            member.close().await(30, TimeUnit.SECONDS);
            unguard(guard);
            throw new IOException("cannot start the scheduler: " + UpCommand.rootMessage(e), e);
        }
        var foreground = Foreground.stopOnSignal(out, "the scheduler", "leaving the cluster", () -> {
            try {
                member.close().await(30, TimeUnit.SECONDS);
            } finally {
                unguard(guard);
            }
        });
        String adv = settings.advertisedAddress();
        out.printf("Berth scheduler up.%n  API       " + (settings.tls() != null ? "https" : "http") + "://%s:%d" + (settings.aclEnabled() ? " (tokens on)" : " (tokens off)") + "%n  Cluster   %s:%d (members %s, CP group %s)%n  Executors %s%n  Data      %s%n",
                adv, scheduler.port(), adv, settings.clusterPort(), String.join(", ", settings.members()),
                settings.effectiveCpMembers() == 0 ? "none: one or two members" : settings.effectiveCpMembers() + " members",
                settings.executorPort() < 0 ? "none" : adv + ":" + settings.executorPort(), settings.stateDir());
        out.flush();
        foreground.await();
        return 0;
    }

    /**
     * Closes the Hazelcast and bus ports to all but the configured members before this member opens
     * them: open-source Hazelcast lets anyone who reaches its port join and read the whole state.
     */
    static MemberGuard guard(SchedulerConfig s) throws IOException {
        var members = new ArrayList<java.net.Inet4Address>();
        for (String host : s.memberHosts()) {
            try {
                for (var a : java.net.InetAddress.getAllByName(host)) {
                    if (a instanceof java.net.Inet4Address v4) members.add(v4);
                }
            } catch (java.net.UnknownHostException e) {
                throw new IOException("member guard: cannot resolve member " + host + ": " + e.getMessage(), e);
            }
        }
        var ports = new ArrayList<>(List.of(s.clusterPort()));
        if (s.busPort() > 0) ports.add(s.busPort());
        var guard = new MemberGuard("berth_members_" + s.clusterPort());
        try {
            guard.install(ports, members);
        } catch (RuntimeException e) {
            guard.close();
            throw new IOException("member guard: cannot install nf_tables table inet " + guard.table() + " (" + e.getMessage()
                    + "); run as root, or pass --no-member-guard and close ports " + ports + " to all but the members yourself", e);
        }
        return guard;
    }

    static void unguard(MemberGuard guard) {
        if (guard == null) return;
        guard.remove();
        guard.close();
    }

    /** What --insecure means, said first, where nobody can miss it. */
    static void warnIfOpen(PrintWriter out, SchedulerConfig s) {
        if (s.loopback() || (s.tls() != null && s.aclEnabled())) return;
        out.println("WARNING: --insecure on " + s.bind() + ":");
        if (!s.aclEnabled()) out.println("  the API takes requests without tokens: whoever reaches port " + s.port() + " can run any container on every node.");
        if (s.tls() == null) {
            out.println("  nothing is encrypted: the API, the members' event bus (" + s.busPort() + ") and the executor bridge (" + s.executorPort()
                    + ") can be read and forged on the network.");
        }
        out.println("  Hazelcast's port (" + s.clusterPort() + ") has no TLS or member authentication in any mode"
                + (s.memberGuardEnabled() ? "; the member guard lets only the members' addresses reach it." : ": keep it on a private network."));
        out.flush();
    }
}
