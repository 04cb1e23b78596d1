package dev.berth.scheduler.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.spec.FieldError;
import dev.berth.model.spec.Parameterized;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DispatchTest {
    final Parameterized rules = new Parameterized(Parameterized.Payload.OPTIONAL, List.of("format"), List.of("quality"));

    @Test
    @DisplayName("meta becomes BERTH_META_<KEY>; payload and token are kept")
    void reads() {
        var d = (Dispatch) Dispatch.read(rules, new JsonObject().put("meta", new JsonObject().put("format", "png").put("quality", "9"))
                .put("payload", Base64.getEncoder().encodeToString(new byte[] {1, 2})).put("idempotencyToken", "t1"));
        assertThat(d.env()).isEqualTo(Map.of("BERTH_META_FORMAT", "png", "BERTH_META_QUALITY", "9"));
        assertThat(d.payload()).isEqualTo("AQI=");
        assertThat(d.idempotencyToken()).isEqualTo("t1");
    }

    @Test
    @DisplayName("every problem at its path: unknown and missing keys, bad payloads, the payload rule, the token, stray fields")
    @SuppressWarnings("unchecked")
    void refuses() {
        var errors = (List<FieldError>) Dispatch.read(rules, new JsonObject().put("meta", new JsonObject().put("size", "1").put("quality", 3))
                .put("payload", "not base64!").put("idempotencyToken", "").put("extra", 1));
        assertThat(errors.stream().map(FieldError::path)).containsExactlyInAnyOrder("meta.size", "meta.quality", "meta.format", "payload", "idempotencyToken", "extra");
        var big = Base64.getEncoder().encodeToString(new byte[Dispatch.MAX_PAYLOAD + 1]);
        assertThat((List<FieldError>) Dispatch.read(rules, new JsonObject().put("meta", new JsonObject().put("format", "x")).put("payload", big)))
                .containsExactly(new FieldError("payload", "16385 bytes is more than the limit of 16384"));
        var forbidden = new Parameterized(Parameterized.Payload.FORBIDDEN, List.of(), List.of());
        assertThat((List<FieldError>) Dispatch.read(forbidden, new JsonObject().put("payload", "AQI=")))
                .containsExactly(new FieldError("payload", "this job takes no payload"));
        var required = new Parameterized(Parameterized.Payload.REQUIRED, List.of(), List.of());
        assertThat((List<FieldError>) Dispatch.read(required, new JsonObject())).containsExactly(new FieldError("payload", "is required by this job"));
    }
}
