package dev.berth.scheduler;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/** A one-member Hazelcast on loopback for a test: its own cluster name, no multicast, no discovery. */
public final class TestHazelcast {
    private TestHazelcast() {
    }

    public static HazelcastInstance loopback(String name) {
        var c = new com.hazelcast.config.Config().setClusterName("berth-" + name + "-test-" + java.util.UUID.randomUUID());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.getNetworkConfig().setPort(0).getJoin().getMulticastConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        return Hazelcast.newHazelcastInstance(c);
    }
}
