package dev.berth.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.JobStatus;
import dev.berth.model.spec.JobSpec.Dependency;
import dev.berth.model.spec.JobSpec.Dependency.Condition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DependenciesTest {
    @ParameterizedTest(name = "{0} on a job that is {1}: {2}")
    @CsvSource({
            "SUCCESS, PENDING, WAITS", "SUCCESS, RUNNING, WAITS", "SUCCESS, COMPLETE, HOLDS", "SUCCESS, FAILED, BROKEN", "SUCCESS, STOPPED, BROKEN",
            "FAILURE, RUNNING, WAITS", "FAILURE, FAILED, HOLDS", "FAILURE, COMPLETE, BROKEN", "FAILURE, STOPPED, BROKEN",
            "FINISHED, RUNNING, WAITS", "FINISHED, COMPLETE, HOLDS", "FINISHED, FAILED, HOLDS", "FINISHED, STOPPED, HOLDS",
    })
    @DisplayName("Slurm's afterok, afternotok and afterany")
    void conditions(Condition condition, JobStatus status, Dependencies.State expected) {
        assertThat(Dependencies.of(condition, status)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("all must hold: one that cannot hold decides, else the first that waits is named, and a job gone never comes back")
    void allMustHold() {
        var statuses = Map.of("a", JobStatus.COMPLETE, "b", JobStatus.RUNNING, "c", JobStatus.FAILED);
        java.util.function.Function<String, Optional<JobStatus>> of = id -> Optional.ofNullable(statuses.get(id));
        var ok = new Dependency("a", Condition.SUCCESS);
        var waits = new Dependency("b", Condition.SUCCESS);
        var broken = new Dependency("c", Condition.SUCCESS);
        assertThat(Dependencies.of(List.of(), of)).isEqualTo(new Dependencies.Verdict.Run());
        assertThat(Dependencies.of(List.of(ok), of)).isEqualTo(new Dependencies.Verdict.Run());
        assertThat(Dependencies.of(List.of(ok, waits), of)).isEqualTo(new Dependencies.Verdict.Wait("waiting for job b"));
        assertThat(Dependencies.of(List.of(waits, broken), of)).isEqualTo(new Dependencies.Verdict.Never("dependency c failed"));
        assertThat(Dependencies.of(List.of(new Dependency("a", Condition.FAILURE)), of))
                .isEqualTo(new Dependencies.Verdict.Never("dependency a did not fail (it completed)"));
        assertThat(Dependencies.of(List.of(new Dependency("gone", Condition.FINISHED)), of))
                .isEqualTo(new Dependencies.Verdict.Never("dependency gone is gone"));
    }
}
