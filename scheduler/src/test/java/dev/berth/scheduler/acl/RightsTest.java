package dev.berth.scheduler.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RightsTest {
    @ParameterizedTest(name = "{0} {1} needs {2}")
    @CsvSource({
            "GET, /health, none",
            "POST, /v1/acl/bootstrap, none",
            "GET, /, none",
            "GET, /ui, none",
            "GET, /ui/jobs/x, none",
            "GET, /uix, read",
            "POST, /ui/jobs, admin",
            "GET, /v1/events, read",
            "GET, /v1/jobs, read",
            "GET, /metrics, read",
            "POST, /v1/capacity/fit, read",
            "GET, /v1/acl/token/self, read",
            "POST, /v1/jobs, submit",
            "POST, /v1/jobs/plan, submit",
            "DELETE, /v1/jobs/x, submit",
            "POST, /v1/nodes/x/drain, operate",
            "POST, /v1/nodes/x/images/pull, operate",
            "PUT, /v1/queues/q, operate",
            "GET, /v1/acl/tokens, admin",
            "POST, /v1/acl/tokens, admin",
            "DELETE, /v1/acl/tokens/x, admin",
            "POST, /v1/jobsx, admin",
            "POST, /v1/something-new, admin",
    })
    @DisplayName("one table for every route; a write it does not name needs admin")
    void table(String method, String path, String needed) {
        var policy = Rights.required(HttpMethod.valueOf(method), path);
        assertThat(policy.map(Policy::label).orElse("none")).isEqualTo(needed);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("each policy holds the ones before it; an unknown name lists the names there are")
    void policies() {
        assertThat(Policy.ADMIN.allows(Policy.OPERATE)).isTrue();
        assertThat(Policy.SUBMIT.allows(Policy.READ)).isTrue();
        assertThat(Policy.SUBMIT.allows(Policy.OPERATE)).isFalse();
        assertThatThrownBy(() -> Policy.of("root")).hasMessage("policy: \"root\" is not one of read, submit, operate, admin");
        assertThat(Gate.bearer("Bearer  berth_x ")).isEqualTo("berth_x");
        assertThat(Gate.bearer("Basic abc")).isNull();
    }
}
