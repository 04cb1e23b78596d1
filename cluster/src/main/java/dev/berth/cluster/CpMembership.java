package dev.berth.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the CP group (the Raft group behind the leader lock) at its size across restarts. Hazelcast
 * takes a member that leaves out of the CP group (at once when it shuts down gracefully, after 30 s
 * when it crashed) but never puts a member that joins later in its place: without this, a rolling
 * restart of three members would shrink the group to one and the leader lock with it. A member that
 * is not a CP member asks to be promoted whenever the group has fewer CP members than it should.
 */
final class CpMembership {
    private static final Logger log = LoggerFactory.getLogger(CpMembership.class);
    private static final long CHECK_EVERY_MS = 2_000;

    private CpMembership() {
    }

    static void keep(Vertx vertx, HazelcastInstance hz, int cpMembers) {
        if (cpMembers < 3) return;
        vertx.setPeriodic(CHECK_EVERY_MS, id -> vertx.executeBlocking(() -> {
            promoteIfMissing(hz, cpMembers);
            return null;
        }, false));
    }

    private static void promoteIfMissing(HazelcastInstance hz, int cpMembers) throws Exception {
        if (!hz.getLifecycleService().isRunning()) return;
        var cp = hz.getCPSubsystem();
        if (cp.getLocalCPMember() != null) return;
        var management = cp.getCPSubsystemManagementService();
        if (!management.isDiscoveryCompleted()) return;
        int now = management.getCPMembers().toCompletableFuture().get(10, TimeUnit.SECONDS).size();
        if (now >= cpMembers) return;
        log.info("the CP group has {} of {} members: promoting this member", now, cpMembers);
        management.promoteToCPMember().toCompletableFuture().get(30, TimeUnit.SECONDS);
        log.info("this member is a CP member now");
    }
}
