package dev.berth.scheduler.placement;

import dev.berth.model.JobStatus;
import dev.berth.model.spec.JobSpec.Dependency;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a job's dependencies let it run: all must hold (Slurm's afterok, afternotok, afterany).
 * Pure: it reads the status of each job it depends on through the function it is given.
 */
public final class Dependencies {
    private Dependencies() {
    }

    /** Run now; wait (the reason names the job); or never (the reason says which dependency cannot hold). */
    public sealed interface Verdict {
        record Run() implements Verdict {
        }

        record Wait(String reason) implements Verdict {
        }

        record Never(String reason) implements Verdict {
        }
    }

    /** @param status a job's status now; empty when there is no such job (any more) */
    public static Verdict of(List<Dependency> dependsOn, Function<String, Optional<JobStatus>> status) {
        String waitingFor = null;
        for (Dependency d : dependsOn) {
            Optional<JobStatus> s = status.apply(d.job());
            if (s.isEmpty()) return new Verdict.Never("dependency " + d.job() + " is gone");
            switch (of(d.condition(), s.get())) {
                case HOLDS -> { }
                case WAITS -> waitingFor = waitingFor == null ? d.job() : waitingFor;
                case BROKEN -> {
                    return new Verdict.Never(switch (d.condition()) {
                        case SUCCESS -> s.get() == JobStatus.STOPPED ? "dependency " + d.job() + " was stopped" : "dependency " + d.job() + " failed";
                        case FAILURE -> "dependency " + d.job() + " did not fail (it " + (s.get() == JobStatus.STOPPED ? "was stopped" : "completed") + ")";
                        case FINISHED -> "dependency " + d.job() + " cannot finish";
                    });
                }
            }
        }
        return waitingFor == null ? new Verdict.Run() : new Verdict.Wait("waiting for job " + waitingFor);
    }

    enum State { HOLDS, WAITS, BROKEN }

    static State of(Dependency.Condition condition, JobStatus s) {
        boolean ended = s == JobStatus.COMPLETE || s == JobStatus.FAILED || s == JobStatus.STOPPED;
        if (!ended) return State.WAITS;
        return switch (condition) {
            case SUCCESS -> s == JobStatus.COMPLETE ? State.HOLDS : State.BROKEN;
            case FAILURE -> s == JobStatus.FAILED ? State.HOLDS : State.BROKEN;
            case FINISHED -> State.HOLDS;
        };
    }
}
