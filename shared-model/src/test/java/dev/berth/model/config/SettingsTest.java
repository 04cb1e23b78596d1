package dev.berth.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.model.spec.FieldError;
import dev.berth.model.units.ByteSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    record Sample(String bind, int port, Duration nodeTtl, List<String> join, boolean insecure, ByteSize memory) implements Settings.Checked {
        static final Sample DEFAULTS = new Sample("127.0.0.1", 7070, Duration.ofSeconds(10), List.of(), false, null);

        @Override
        public List<FieldError> problems() {
            var errors = new ArrayList<FieldError>();
            if (port < 1) errors.add(new FieldError("port", port + " is not a port"));
            return errors;
        }
    }

    @TempDir
    Path dir;

    @Test
    @DisplayName("the file is laid over the defaults, and the flags over the file")
    void fileThenFlags() throws Exception {
        Path file = Files.writeString(dir.resolve("s.yaml"), "bind: 10.0.0.5\nport: 8080\njoin: [10.0.0.6, \"10.0.0.7:5701\"]\nmemory: 2Gi\n");
        var s = Settings.read(Sample.DEFAULTS, file, Map.of("port", "9090", "insecure", true));
        assertThat(s).isEqualTo(new Sample("10.0.0.5", 9090, Duration.ofSeconds(10), List.of("10.0.0.6", "10.0.0.7:5701"), true, ByteSize.parse("2Gi")));
    }

    @Test
    @DisplayName("every problem is reported at once with its key: unknown keys (with a suggestion), wrong types, bad units")
    void everyProblemAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "bnid: 10.0.0.5\nport: lots\nnodeTtl: soon\nmemory: 12XB\nwhatever: 1\n");
        assertThatThrownBy(() -> Settings.read(Sample.DEFAULTS, file, Map.of()))
                .isInstanceOf(SettingsException.class)
                .satisfies(e -> assertThat(((SettingsException) e).errors()).extracting(FieldError::path)
                        .containsExactlyInAnyOrder("bnid", "whatever", "port", "nodeTtl", "memory"))
                .hasMessageContaining("bad.yaml has 5 problems")
                .hasMessageContaining("bnid: unknown setting (did you mean bind?)")
                .hasMessageContaining("port: \"lots\" is not a whole number")
                .hasMessageContaining("memory: \"12XB\" is not a size");
    }

    @Test
    @DisplayName("the record's own checks run in the same answer as the keys that did not read")
    void recordChecks() throws Exception {
        assertThatThrownBy(() -> Settings.read(Sample.DEFAULTS, null, Map.of("port", 0)))
                .isInstanceOf(SettingsException.class).hasMessageContaining("port: 0 is not a port");
        Path file = Files.writeString(dir.resolve("two.yaml"), "nodeTtl: soon\n");
        assertThatThrownBy(() -> Settings.read(Sample.DEFAULTS, file, Map.of("port", 0)))
                .satisfies(e -> assertThat(((SettingsException) e).errors()).extracting(FieldError::path).containsExactly("nodeTtl", "port"));
    }

    @Test
    @DisplayName("an empty file sets nothing; a file that is not a mapping is refused")
    void emptyAndNonMapping() throws Exception {
        assertThat(Settings.read(Sample.DEFAULTS, Files.writeString(dir.resolve("empty.yaml"), ""), Map.of())).isEqualTo(Sample.DEFAULTS);
        assertThatThrownBy(() -> Settings.read(Sample.DEFAULTS, Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n"), Map.of()))
                .hasMessageContaining("must be a mapping of settings");
        assertThatThrownBy(() -> Settings.read(Sample.DEFAULTS, dir.resolve("absent.yaml"), Map.of())).hasMessageContaining("cannot read");
    }

    @Test
    @DisplayName("with() changes keys in code, checked the same way")
    void with() {
        assertThat(Settings.with(Sample.DEFAULTS, "port", 1234, "nodeTtl", "500ms").nodeTtl()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> Settings.with(Sample.DEFAULTS, "port", "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> Settings.with(Sample.DEFAULTS, "nope", 1)).hasMessageContaining("no setting nope");
    }

    @Test
    @DisplayName("host:port and advertised addresses")
    void hostPort() {
        assertThat(HostPort.parse("10.0.0.1", 4647)).isEqualTo(new HostPort("10.0.0.1", 4647));
        assertThat(HostPort.parse("sched-1.lan:5000", 4647)).isEqualTo(new HostPort("sched-1.lan", 5000));
        assertThat(HostPort.parse("10.0.0.1:99999", 4647)).isNull();
        assertThat(HostPort.parse("bad host", 4647)).isNull();
        assertThat(HostPort.isIpv4("10.0.0.256")).isFalse();
        assertThat(HostPort.advertised("10.0.0.5", null)).isEqualTo("10.0.0.5");
        assertThat(HostPort.advertised("0.0.0.0", "10.0.0.9")).isEqualTo("10.0.0.9");
        assertThat(HostPort.advertised("0.0.0.0", null)).isNotEqualTo("0.0.0.0");
    }
}
