package dev.berth.executor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.usage.UsageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageSpoolTest {
    @TempDir
    Path dir;

    static List<UsageEvent> events(int n) {
        var out = new ArrayList<UsageEvent>();
        for (int i = 0; i < n; i++) out.add(new UsageEvent(1, "n1", 0, Instant.EPOCH, UsageEvent.NODE, null, null, null, null, null, Map.of("x", (double) i)));
        return out;
    }

    @Test
    @DisplayName("events are numbered in order, kept until acknowledged, and numbering and backlog survive a restart")
    void survivesRestart() throws Exception {
        var spool = new UsageSpool(dir, 1 << 20);
        assertThat(spool.append(events(3))).extracting(UsageEvent::sequence).containsExactly(1L, 2L, 3L);
        spool.acknowledge(2);
        var again = new UsageSpool(dir, 1 << 20); // an executor restart
        assertThat(again.pending(10)).extracting(UsageEvent::sequence).containsExactly(3L);
        assertThat(again.append(events(2))).extracting(UsageEvent::sequence).containsExactly(4L, 5L);
        assertThat(again.pending(10)).extracting(UsageEvent::sequence).containsExactly(3L, 4L, 5L);
        again.acknowledge(5);
        assertThat(again.pending(10)).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".jsonl"))).isEmpty();
        }
    }

    @Test
    @DisplayName("bounded: past its size the oldest segments go, and what is left still comes out in order")
    void bounded() throws Exception {
        var spool = new UsageSpool(dir, 3 * UsageSpool.SEGMENT_BYTES);
        for (int i = 0; i < 60; i++) spool.append(events(500)); // ~60 × 500 × 120 bytes ≈ 3.6 MB
        assertThat(spool.bytes()).isLessThanOrEqualTo(4 * UsageSpool.SEGMENT_BYTES);
        var pending = spool.pending(100_000);
        assertThat(pending.getLast().sequence()).isEqualTo(30_000);
        for (int i = 1; i < pending.size(); i++) assertThat(pending.get(i).sequence()).isEqualTo(pending.get(i - 1).sequence() + 1);
        assertThat(spool.acknowledged()).isEqualTo(pending.getFirst().sequence() - 1);
    }

    @Test
    @DisplayName("/proc/interrupts columns are summed per cpu; the system-wide ERR and MIS lines are not a cpu's")
    void interrupts() {
        long[] sums = HostSampler.perCpuInterrupts("""
                           CPU0       CPU1
                  0:         10          5   IO-APIC   2-edge      timer
                  8:          1          2   IO-APIC   8-edge      rtc0
                NMI:          3          4   Non-maskable interrupts
                ERR:          7
                """);
        assertThat(sums).containsExactly(14, 11);
    }
}
