package dev.berth.model.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PeriodicTest {
    final Periodic fiveMinutes = new Periodic("*/5 * * * *", "UTC", Periodic.Overlap.ALLOW, true);

    @Test
    @DisplayName("the next run after a time, and the latest due: one slot for all that were missed")
    void slots() {
        assertThat(fiveMinutes.next(Instant.parse("2026-12-01T10:02:30Z"))).hasValue(Instant.parse("2026-12-01T10:05:00Z"));
        assertThat(fiveMinutes.latestDue(Instant.parse("2026-12-01T10:02:30Z"))).hasValue(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(fiveMinutes.latestDue(Instant.parse("2026-12-01T10:05:00Z"))).as("a run due now is due").hasValue(Instant.parse("2026-12-01T10:05:00Z"));
        assertThat(fiveMinutes.latestDue(Instant.parse("2026-12-01T13:07:00Z"))).as("hours without a leader: the latest slot only")
                .hasValue(Instant.parse("2026-12-01T13:05:00Z"));
    }

    @Test
    @DisplayName("the time zone decides the wall clock: 02:00 in Berlin is 01:00 UTC in winter")
    void timeZones() {
        var nightly = new Periodic("0 2 * * *", "Europe/Berlin", Periodic.Overlap.FORBID, true);
        assertThat(nightly.next(Instant.parse("2026-12-01T12:00:00Z"))).hasValue(Instant.parse("2026-12-02T01:00:00Z"));
    }

    @Test
    @DisplayName("a broken expression is named with what is wrong")
    void check() {
        assertThat(Periodic.check("*/5 * * * *")).isNull();
        assertThat(Periodic.check("every minute")).startsWith("\"every minute\" is not a cron expression of five fields");
        assertThat(Periodic.check("61 * * * *")).isNotNull();
    }
}
