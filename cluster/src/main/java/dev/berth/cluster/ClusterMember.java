package dev.berth.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A running cluster member: its Vert.x, and the Hazelcast instance behind it for the state maps. */
public record ClusterMember(Vertx vertx, HazelcastInstance hazelcast) {
    /** Undeploys every verticle, leaves the cluster, and stops Hazelcast. */
    public Future<Void> close() {
        return vertx.close();
    }
}
