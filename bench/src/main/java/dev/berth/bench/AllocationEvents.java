package dev.berth.bench;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.berth.model.Allocation;
import dev.berth.model.codec.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiConsumer;

/** Every allocation the state map stores or changes, with when this process saw it: the benches' stage clocks. */
final class AllocationEvents {
    private AllocationEvents() {
    }

    static UUID listen(IMap<String, HazelcastJsonValue> allocations, BiConsumer<Allocation, Instant> saw) {
        class Listener implements EntryAddedListener<String, HazelcastJsonValue>, EntryUpdatedListener<String, HazelcastJsonValue> {
            @Override
            public void entryAdded(EntryEvent<String, HazelcastJsonValue> e) {
                seen(e);
            }

            @Override
            public void entryUpdated(EntryEvent<String, HazelcastJsonValue> e) {
                seen(e);
            }

            private void seen(EntryEvent<String, HazelcastJsonValue> e) {
                Instant now = Instant.now();
                try {
                    saw.accept(Json.mapper().readValue(e.getValue().getValue(), Allocation.class), now);
                } catch (IOException notAnAllocation) {
                    // not one of ours to count
                }
            }
        }
        return allocations.addEntryListener(new Listener(), true);
    }
}
