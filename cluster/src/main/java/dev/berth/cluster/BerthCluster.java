package dev.berth.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Starts a scheduler member: Vert.x clustered over Hazelcast, with a TCP-IP member list and no multicast. */
public final class BerthCluster {
    public static final String SPLIT_BRAIN_PROTECTION = "berth-majority";
    public static final java.util.List<String> PROTECTED_MAPS = java.util.List.of("berth.jobs", "berth.allocations", "berth.evaluations", "berth.acl.tokens", "berth.acl.bootstrap");

    private BerthCluster() {
    }

    public static Future<ClusterMember> start(ClusterSettings s) {
        var manager = new HazelcastClusterManager(hazelcastConfig(s));
        var bus = new EventBusOptions().setHost(s.bindHost()).setPort(s.busPort())
                .setClusterPublicHost(s.advertise()).setClusterPublicPort(s.busPort());
        if (s.tls() != null) {
            try {
                mutualTls(bus, s.tls());
            } catch (java.io.IOException e) {
                return Future.failedFuture(e);
            }
        }
        return Vertx.builder()
                .with(new VertxOptions().setEventBusOptions(bus))
                .withClusterManager(manager)
                .buildClustered()
                .map(vertx -> {
                    CpMembership.keep(vertx, manager.getHazelcastInstance(), s.cpMembers());
                    return new ClusterMember(vertx, manager.getHazelcastInstance());
                });
    }

    /**
     * Both ends of every bus connection show a scheduler certificate and check the other's. Vert.x
     * checks no host name here and copies these options through JSON (a trust manager of ours would
     * be dropped), so the only trust anchor is the scheduler intermediate CA: a certificate of any
     * other role, or of another CA, has no chain to it.
     */
    private static void mutualTls(EventBusOptions bus, dev.berth.model.config.TlsFiles tls) throws java.io.IOException {
        String schedulers = dev.berth.model.config.Peers.roleAuthority(tls, dev.berth.model.config.Peers.SCHEDULER);
        bus.setSsl(true).setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED).setTrustAll(false)
                .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()))
                .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertValue(io.vertx.core.buffer.Buffer.buffer(schedulers)));
    }

    static Config hazelcastConfig(ClusterSettings s) {
        // Start from Vert.x's own config: it declares the maps and multimaps its event bus relies on.
        Config c = ConfigUtil.loadConfig();
        c.setClusterName(s.clusterName());
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        boolean any = s.bindHost().equals("0.0.0.0");
        c.setProperty("hazelcast.socket.bind.any", String.valueOf(any));
        // A member cut off by the network is dropped after 10 s rather than Hazelcast's 60, so that the
        // majority's split-brain protection and leader election act within seconds.
        c.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        // A member that was cut off or paused and dropped from the cluster merges back within seconds,
        // not Hazelcast's default of 5 minutes for the first try and 2 for each next.
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        // Berth stops Hazelcast itself, after Vert.x has undeployed everything that still needs it.
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        // A crashed leader's lock is freed when its session expires: seconds, not the default 5 minutes
        // (in CP's unsafe mode of one or two members as well as in a CP group).
        c.getCPSubsystemConfig().setSessionTimeToLiveSeconds(5).setSessionHeartbeatIntervalSeconds(1);
        if (s.cpMembers() >= 3) {
            c.getCPSubsystemConfig().setCPMemberCount(s.cpMembers()).setGroupSize(s.cpMembers())
                    .setMissingCPMemberAutoRemovalSeconds(30)
                    .getRaftAlgorithmConfig().setLeaderElectionTimeoutInMillis(1000).setLeaderHeartbeatPeriodInMillis(500);
        }
        if (s.members().size() >= 3) majorityOnly(c, s.quorum());
        var net = c.getNetworkConfig();
        net.setPort(s.port()).setPortAutoIncrement(false);
        if (!any) net.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(s.bindHost()));
        net.setPublicAddress(s.advertise() + ":" + s.port());
        var join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(s.members());
        return c;
    }

    /** The maps of jobs, allocations and evaluations refuse writes on a side of a split with fewer than {@code quorum} members. */
    private static void majorityOnly(Config c, int quorum) {
        var protection = new SplitBrainProtectionConfig(SPLIT_BRAIN_PROTECTION, true, quorum).setProtectOn(SplitBrainProtectionOn.WRITE);
        c.addSplitBrainProtectionConfig(protection);
        for (String map : PROTECTED_MAPS) c.getMapConfig(map).setSplitBrainProtectionName(SPLIT_BRAIN_PROTECTION);
    }
}
