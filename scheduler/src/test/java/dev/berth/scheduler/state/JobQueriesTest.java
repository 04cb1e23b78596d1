package dev.berth.scheduler.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import dev.berth.model.Job;
import dev.berth.model.spec.SpecReader;
import dev.berth.model.spec.SpecResult;
import dev.berth.scheduler.batch.Children;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The queries the leader's clocks run instead of reading every job: on a real (one-member) Hazelcast. */
class JobQueriesTest {
    static HazelcastInstance hz;

    @BeforeAll
    static void up() {
        hz = dev.berth.scheduler.TestHazelcast.loopback("queries");
    }

    @AfterAll
    static void down() {
        hz.shutdown();
    }

    static Job job(String id, String spec, Instant at, String parent) {
        var s = ((SpecResult.Valid) SpecReader.read(spec, "application/json")).spec();
        return new Job(id, s, at, "e-" + id, false, null, parent, null);
    }

    @Test
    @DisplayName("periodic parents with their schedule on, a parent's children oldest first, jobs submitted before a time")
    void queries() {
        var state = new ClusterState(hz);
        var t0 = Instant.parse("2026-12-01T10:00:00Z");
        String plain = "{\"name\": \"p\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}";
        var parent = job("tick", "{\"name\": \"tick\", \"periodic\": {\"cron\": \"* * * * *\"}, \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}", t0, null);
        var off = job("off", "{\"name\": \"off\", \"periodic\": {\"cron\": \"* * * * *\", \"enabled\": false}, \"groups\": [{\"tasks\": [{\"image\": \"busybox\"}]}]}", t0, null);
        Children.store(state, parent, "job submitted", t0);
        Children.store(state, off, "job submitted", t0);
        Children.store(state, job("tick.periodic-2", plain, t0.plusSeconds(120), "tick"), "periodic run", t0);
        Children.store(state, job("tick.periodic-1", plain, t0.plusSeconds(60), "tick"), "periodic run", t0);
        Children.store(state, job("other", plain, t0.plusSeconds(3600), null), "job submitted", t0);

        assertThat(state.periodicJobs()).extracting(Job::id).containsExactly("tick");
        assertThat(state.childrenOf("tick")).extracting(Job::id).containsExactly("tick.periodic-1", "tick.periodic-2");
        assertThat(state.submittedBefore(t0.plusSeconds(90))).extracting(Job::id).containsExactlyInAnyOrder("tick", "off", "tick.periodic-1");
    }
}
