package dev.berth.scheduler.state;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.EntryProcessor;
import dev.berth.model.AllocNetwork;
import dev.berth.model.Allocation;
import dev.berth.model.AllocationUpdate;
import dev.berth.model.codec.Json;
import java.time.Instant;
import java.util.Map;

/**
 * Changes one allocation on the member that owns its key, atomically for that key and fenced as
 * {@link FencedWrite} is: one round trip where a lock, a read, a fenced write and an unlock took
 * four. It waits for a lock another caller holds on the key, as every key operation does, so it
 * mixes with {@link ClusterState#updateAllocation}. The two changes on the hot path — the plan
 * commit's placement and a node's report — have one each; they carry their arguments as JSON,
 * since the owner may be another member.
 */
abstract sealed class AllocationChange implements EntryProcessor<String, HazelcastJsonValue, String> {
    /** What {@link #process} returns when a newer leader wrote the entry. */
    static final String STALE = "\u0000stale";

    private final long epoch;

    AllocationChange(long epoch) {
        this.epoch = epoch;
    }

    /** The allocation as it is to be, or null to leave it. */
    abstract Allocation change(Allocation current);

    /** @return the new value's JSON; null when there is no entry or nothing changed; {@link #STALE} */
    @Override
    public String process(Map.Entry<String, HazelcastJsonValue> entry) {
        HazelcastJsonValue v = entry.getValue();
        if (v == null) return null;
        long fence = FencedWrite.fence(v);
        if (epoch > 0 && fence > epoch) return STALE;
        Allocation next = change(Json.read(v.getValue(), Allocation.class));
        if (next == null) return null;
        String json = Json.write(next);
        entry.setValue(new HazelcastJsonValue(FencedWrite.withFence(json, Math.max(fence, epoch))));
        return json;
    }

    /** The leader places a pending allocation on a node, unless it was placed or stopped meanwhile. */
    static final class Place extends AllocationChange {
        private final String nodeId;
        private final String network;
        private final String at;

        Place(long epoch, String nodeId, AllocNetwork network, Instant at) {
            super(epoch);
            this.nodeId = nodeId;
            this.network = network == null ? null : Json.write(network);
            this.at = at.toString();
        }

        @Override
        Allocation change(Allocation cur) {
            if (cur.placed() || cur.stopRequested()) return null;
            return cur.placedOn(nodeId, Instant.parse(at)).withNetwork(network == null ? null : Json.read(network, AllocNetwork.class));
        }
    }

    /** A node's report, unless a newer one was applied already (reports may arrive out of order) or it is not that node's. */
    static final class Report extends AllocationChange {
        private final String update;

        Report(AllocationUpdate u) {
            super(0);
            this.update = Json.write(u);
        }

        @Override
        Allocation change(Allocation cur) {
            var u = Json.read(update, AllocationUpdate.class);
            return u.version() > cur.version() && u.nodeId().equals(cur.nodeId()) ? cur.apply(u) : null;
        }
    }
}
