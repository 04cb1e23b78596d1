package dev.berth.scheduler.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.berth.model.Allocation;
import dev.berth.model.Job;
import dev.berth.model.spec.JobSpec;
import dev.berth.model.spec.Resources;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.scheduler.state.ClusterState;
import dev.berth.scheduler.state.ClusterState.Change;
import dev.berth.scheduler.state.Evaluation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The change feed on a real (one-member) Hazelcast: what the web UI's event stream is made of. */
class ChangeFeedTest {
    static HazelcastInstance hz;

    @BeforeAll
    static void up() {
        hz = dev.berth.scheduler.TestHazelcast.loopback("feed");
    }

    @AfterAll
    static void down() {
        hz.shutdown();
    }

    @Test
    @DisplayName("watchers see each new job and allocation with the ids they name; after the last one leaves, the listeners go")
    void watchersSeeChangesWhileTheyWatch() throws Exception {
        var state = new ClusterState(hz);
        var feed = new ChangeFeed(state);
        var seen = new CopyOnWriteArrayList<Change>();
        var other = new CopyOnWriteArrayList<Change>();
        var first = feed.watch(seen::add);
        var second = feed.watch(other::add);
        var now = Instant.parse("2026-12-01T00:00:00Z");
        JobSpec spec = ((SpecResult.Valid) SpecReader.read("{\"name\": \"feed\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}", "application/json")).spec();
        var job = new Job("feed-1", spec, now, "e1", false, null);
        var alloc = Allocation.pending("a1", "feed-1", "feed", 0, "feed", Resources.NONE, now);
        state.createJob(job, List.of(alloc), Evaluation.pending("e1", "feed-1", "job submitted", now));

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 3 && other.size() >= 3);
        assertThat(seen).contains(new Change("job", "feed-1", "feed-1", null, null, false),
                new Change("allocation", "a1", "feed-1", null, "pending", false),
                new Change("evaluation", "e1", "feed-1", null, "pending", false));
        first.close();
        assertThat(feed.watchers()).isEqualTo(1);
        second.close();
        assertThat(feed.watchers()).isZero();
        int before = seen.size();
        state.updateAllocation("a1", a -> a.placedOn("n1", now));
        // once nobody watches, no listener is left on the maps to call anyone
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> seen.size() == before);
    }
}
