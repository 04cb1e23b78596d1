package dev.berth.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Starts a Vert.x instance clustered over Hazelcast, with a TCP-IP member list and no multicast. */
public final class BerthCluster {
    private BerthCluster() {
    }

    public static Future<ClusterMember> start(ClusterSettings s) {
        var manager = new HazelcastClusterManager(hazelcastConfig(s));
        var bus = new EventBusOptions().setHost(s.bindHost()).setPort(0).setClusterPublicHost(s.bindHost());
        return Vertx.builder()
                .with(new VertxOptions().setEventBusOptions(bus))
                .withClusterManager(manager)
                .buildClustered()
                .map(vertx -> new ClusterMember(vertx, manager.getHazelcastInstance()));
    }

    static Config hazelcastConfig(ClusterSettings s) {
        // Start from Vert.x's own config: it declares the maps and multimaps its event bus relies on.
        Config c = ConfigUtil.loadConfig();
        c.setClusterName(s.clusterName());
        c.setLiteMember(s.liteMember());
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        // Berth stops Hazelcast itself, after Vert.x has undeployed everything that still needs it.
        c.setProperty("hazelcast.shutdownhook.enabled", "false");
        if (s.cpMembers() >= 3) {
            // A crashed leader's lock is freed when its CP session expires: seconds, not the default 5 minutes.
            c.getCPSubsystemConfig().setCPMemberCount(s.cpMembers()).setGroupSize(s.cpMembers())
                    .setSessionTimeToLiveSeconds(5).setSessionHeartbeatIntervalSeconds(1)
                    .setMissingCPMemberAutoRemovalSeconds(30)
                    .getRaftAlgorithmConfig().setLeaderElectionTimeoutInMillis(1000).setLeaderHeartbeatPeriodInMillis(500);
        }
        var net = c.getNetworkConfig();
        net.setPort(s.port()).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).setInterfaces(java.util.List.of(s.bindHost()));
        net.setPublicAddress(s.bindHost() + ":" + s.port());
        var join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(s.members());
        return c;
    }
}
