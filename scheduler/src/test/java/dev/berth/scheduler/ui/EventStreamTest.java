package dev.berth.scheduler.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.FieldError;
import dev.berth.scheduler.state.ClusterState.Change;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventStreamTest {
    final Change alloc = new Change("allocation", "a1", "web-1", "n1", "running", false);

    @Test
    @DisplayName("topics are read in the plural or singular; an unknown one is refused by name")
    void topics() {
        var f = (EventStream.Filter) EventStream.Filter.parse("jobs, allocation", null, "");
        assertThat(f.kinds()).isEqualTo(Set.of("job", "allocation"));
        assertThat(f.node()).isNull();
        assertThat(((EventStream.Filter) EventStream.Filter.parse(null, null, null)).kinds()).isEqualTo(EventStream.KINDS);
        assertThat(EventStream.Filter.parse("jobs,tokens", null, null)).isEqualTo(
                new FieldError("topics", "\"tokens\" is not one of jobs, allocations, nodes, evaluations"));
    }

    @Test
    @DisplayName("a stream for one job or one node gets only the changes that name it")
    void filters() {
        assertThat(((EventStream.Filter) EventStream.Filter.parse(null, "web-1", null)).accepts(alloc)).isTrue();
        assertThat(((EventStream.Filter) EventStream.Filter.parse(null, "web-2", null)).accepts(alloc)).isFalse();
        assertThat(((EventStream.Filter) EventStream.Filter.parse(null, null, "n2")).accepts(alloc)).isFalse();
        assertThat(((EventStream.Filter) EventStream.Filter.parse("nodes", null, null)).accepts(alloc)).isFalse();
    }

    @Test
    @DisplayName("an event names its kind and carries the ids as JSON, one frame ended by a blank line")
    void frame() {
        assertThat(EventStream.frame(alloc)).isEqualTo("event: allocation\ndata: {\"id\":\"a1\",\"jobId\":\"web-1\",\"nodeId\":\"n1\",\"status\":\"running\"}\n\n");
        assertThat(EventStream.frame(new Change("job", "j1", "j1", null, null, true))).isEqualTo("event: job\ndata: {\"id\":\"j1\",\"jobId\":\"j1\",\"removed\":true}\n\n");
    }
}
