package dev.berth.model.spec;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * A job that runs on a schedule (Nomad's periodic, Kubernetes' CronJob): each run is a child job.
 * The cron expression has the five fields of crontab (minute hour day-of-month month day-of-week),
 * read in {@code timeZone}.
 *
 * @param overlap what a run does while an earlier one still runs: {@code allow} it, {@code forbid}
 *                (skip this run), or {@code replace} (stop the earlier one first)
 */
public record Periodic(String cron, String timeZone, Overlap overlap, boolean enabled) {
    public enum Overlap { ALLOW, FORBID, REPLACE;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public static Overlap of(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** Null when the expression is valid, else what is wrong with it. */
    public static String check(String cron) {
        try {
            UNIX.parse(cron).validate();
            return null;
        } catch (IllegalArgumentException e) {
            return "\"" + cron + "\" is not a cron expression of five fields (minute hour day-of-month month day-of-week): " + e.getMessage();
        }
    }

    private ExecutionTime schedule() {
        return ExecutionTime.forCron(UNIX.parse(cron));
    }

    /** The first run after {@code after}. */
    public Optional<Instant> next(Instant after) {
        return schedule().nextExecution(after.atZone(ZoneId.of(timeZone))).map(z -> z.toInstant());
    }

    /**
     * The latest run due at or before {@code now}: one run stands for every slot missed while no
     * leader was there, rather than one run per missed slot.
     */
    public Optional<Instant> latestDue(Instant now) {
        // lastExecution looks strictly before its argument: a second later takes in a run due at now
        return schedule().lastExecution(now.atZone(ZoneId.of(timeZone)).plusSeconds(1)).map(t -> t.toInstant()).filter(t -> !t.isAfter(now));
    }
}
