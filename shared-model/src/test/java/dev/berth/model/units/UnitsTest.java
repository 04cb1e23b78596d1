package dev.berth.model.units;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {
    @ParameterizedTest(name = "cpu {0} = {1}m")
    @CsvSource({"250m,250", "2,2000", "0.5,500", "1.25,1250", "1000m,1000", " 3 ,3000"})
    void cpuReadsMillicoresAndCores(String text, long millis) {
        assertThat(Cpu.parse(text).millicores()).isEqualTo(millis);
    }

    @ParameterizedTest(name = "cpu \"{0}\" is refused")
    @ValueSource(strings = {"", "m", "-1", "2 cores", "0.0005", "1.5m", "abc"})
    void cpuRefusesNonsense(String text) {
        assertThatThrownBy(() -> Cpu.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(text.trim().isEmpty() ? "\"" : text);
    }

    @Test
    @DisplayName("cpu prints whole cores plainly and the rest in millicores")
    void cpuPrints() {
        assertThat(Cpu.parse("2")).hasToString("2");
        assertThat(Cpu.parse("250m")).hasToString("250m");
        assertThat(Cpu.parse("1.5")).hasToString("1500m");
    }

    @ParameterizedTest(name = "size {0} = {1} bytes")
    @CsvSource({"128Mi,134217728", "1G,1000000000", "1Gi,1073741824", "512,512", "1.5Ki,1536", "2MiB,2097152",
            "10MB,10000000", "1k,1000", "4Ki,4096", "1Ti,1099511627776"})
    void sizesReadBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ByteSize.parse(text).bytes()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "size \"{0}\" is refused")
    @ValueSource(strings = {"12XB", "", "Mi", "-5Mi", "1.0000001Ki", "lots"})
    void sizesRefuseNonsense(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"" + text + "\"");
    }

    @Test
    @DisplayName("the \"12XB\" message is the one a user reads")
    void sizeMessage() {
        assertThatThrownBy(() -> ByteSize.parse("12XB")).hasMessageStartingWith("\"12XB\" is not a size");
    }

    @ParameterizedTest(name = "size {0} prints as {1}")
    @CsvSource({"134217728,128Mi", "1000000000,1G", "1536,1536", "1024,1Ki", "0,0", "1500,1500"})
    void sizesPrintInTheLargestExactUnit(long bytes, String text) {
        assertThat(ByteSize.ofBytes(bytes)).hasToString(text.equals("1536") ? "1536" : text);
    }

    @ParameterizedTest(name = "duration {0} = {1} ms")
    @CsvSource({"10s,10000", "500ms,500", "1m,60000", "1h30m,5400000", "2d,172800000", "0,0", "1.5s,1500"})
    void durationsRead(String text, long millis) {
        assertThat(Durations.parse(text).toMillis()).isEqualTo(millis);
    }

    @ParameterizedTest(name = "duration \"{0}\" is refused")
    @ValueSource(strings = {"10", "s", "10 seconds", "-1s", "1w", ""})
    void durationsRefuseNonsense(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a duration");
    }

    @Test
    void durationsRoundTrip() {
        for (var d : new Duration[] {Duration.ofSeconds(90), Duration.ofMillis(1500), Duration.ofHours(25), Duration.ZERO}) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    }
}
