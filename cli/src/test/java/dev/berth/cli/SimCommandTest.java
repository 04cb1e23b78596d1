package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth sim} over time, on the example workload, and what it says about a bad one. */
class SimCommandTest {
    static final Path EXAMPLES = Path.of("..", "examples", "sim");

    record Result(int code, String out, String err) {
    }

    static Result sim(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var full = new String[args.length + 1];
        full[0] = "sim";
        System.arraycopy(args, 0, full, 1, args.length);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    @DisplayName("the example fair-share workload: weights 2 and 1 get two thirds and one third of the node while both wait")
    void fairShareExample() {
        var r = sim("--cluster", EXAMPLES.resolve("one-node.json").toString(), "--workload", EXAMPLES.resolve("fair-share.yaml").toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        var q = new JsonObject(r.out()).getJsonObject("queues");
        double a = q.getJsonObject("team-a").getDouble("contendedCpuSeconds"), b = q.getJsonObject("team-b").getDouble("contendedCpuSeconds");
        assertThat(a / b).isBetween(1.95, 2.05);
        var table = sim("--cluster", EXAMPLES.resolve("one-node.json").toString(), "--workload", EXAMPLES.resolve("fair-share.yaml").toString());
        assertThat(table.out()).contains("team-a  2       13.3").contains("66.7%").contains("33.3%");
    }

    @Test
    @DisplayName("a bad workload: every problem with its path, and nothing simulated")
    void badWorkload(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("bad.yaml");
        Files.writeString(w, """
                queues:
                  q: {weight: 0}
                jobs:
                  - submitAt: soon
                    spec: {name: x, queue: nowhere, groups: [{tasks: [{image: busybox}]}]}
                  - spec: {name: y, groups: [{tasks: [{image: busybox}]}]}
                    colour: red
                """);
        var r = sim("--cluster", EXAMPLES.resolve("one-node.json").toString(), "--workload", w.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("queues.q.weight").contains("jobs[0].submitAt").contains("jobs[0].spec.queue: no queue named \"nowhere\"")
                .contains("jobs[1].duration: a batch job's tasks need a duration").contains("jobs[1].colour: is not a known field");
    }
}
