package dev.berth.model.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.model.codec.Json;
import dev.berth.model.units.ByteSize;
import dev.berth.model.units.Cpu;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpecReaderTest {
    static final String MINIMAL_YAML = """
            name: hello
            groups:
              - tasks:
                  - image: busybox:1.36
                    command: [echo, hello]
            """;

    static JobSpec valid(String body, String type) {
        var r = SpecReader.read(body, type);
        assertThat(r).isInstanceOf(SpecResult.Valid.class);
        return ((SpecResult.Valid) r).spec();
    }

    static List<String> errors(String body, String type) {
        var r = SpecReader.read(body, type);
        assertThat(r).isInstanceOf(SpecResult.Invalid.class);
        return ((SpecResult.Invalid) r).errors().stream().map(FieldError::toString).toList();
    }

    @Test
    @DisplayName("batch fields: dependsOn with its condition (success by default), maxParallel, deadline; each refused by its path when wrong")
    void batchFields() {
        var job = valid("""
                name: b
                dependsOn: [{job: a-1}, {job: a-2, condition: finished}]
                groups:
                  - maxParallel: 2
                    count: 5
                    tasks: [{image: busybox, deadline: 90m}]
                """, "application/yaml");
        assertThat(job.dependsOn()).containsExactly(new JobSpec.Dependency("a-1", JobSpec.Dependency.Condition.SUCCESS),
                new JobSpec.Dependency("a-2", JobSpec.Dependency.Condition.FINISHED));
        assertThat(job.groups().getFirst().maxParallel()).isEqualTo(2);
        assertThat(job.groups().getFirst().tasks().getFirst().deadline()).isEqualTo(Duration.ofMinutes(90));
        assertThat(valid(MINIMAL_YAML, "application/yaml").groups().getFirst().tasks().getFirst().deadline()).isNull();
        assertThat(errors("""
                name: b
                dependsOn: [{condition: later}]
                groups: [{maxParallel: -1, tasks: [{image: busybox, deadline: 0s}]}]
                """, "application/yaml")).containsExactlyInAnyOrder(
                "dependsOn[0].job: is required",
                "dependsOn[0].condition: \"later\" is not one of success, failure, finished",
                "groups[0].maxParallel: -1 is out of range 0–10000",
                "groups[0].tasks[0].deadline: must be at least 1s");
    }

    @Test
    @DisplayName("a short YAML spec gets every default")
    void minimalYamlGetsDefaults() {
        var job = valid(MINIMAL_YAML, "application/yaml");
        assertThat(job.name()).isEqualTo("hello");
        assertThat(job.type()).isEqualTo(JobType.BATCH);
        assertThat(job.priority()).isEqualTo(50);
        var group = job.groups().getFirst();
        assertThat(group.name()).isEqualTo("hello");
        assertThat(group.count()).isEqualTo(1);
        assertThat(group.restart()).isEqualTo(RestartPolicy.defaultFor(JobType.BATCH));
        assertThat(group.reschedule().attempts()).isEqualTo(1);
        assertThat(group.reschedule().delay()).isEqualTo(Duration.ofSeconds(5));
        var task = group.tasks().getFirst();
        assertThat(task.name()).isEqualTo("hello");
        assertThat(task.command()).containsExactly("echo", "hello");
        assertThat(task.resources().cpu()).isEqualTo(Cpu.ofMillis(100));
        assertThat(task.resources().memory()).isEqualTo(ByteSize.mebibytes(128));
        assertThat(task.network().mode()).isEqualTo(NetworkMode.BRIDGE);
        assertThat(task.killTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("a full JSON spec keeps every field")
    void fullJson() {
        var job = valid("""
                {"name": "web", "type": "service", "priority": 70, "groups": [{
                  "name": "frontend", "count": 3,
                  "constraints": [{"attribute": "${node.labels.zone}", "value": "a"}],
                  "restart": {"attempts": 5, "delay": "2s", "mode": "delay"},
                  "reschedule": {"attempts": 2, "interval": "1h", "delay": "10s", "delayFunction": "constant", "unlimited": false},
                  "tasks": [{"name": "nginx", "image": "nginx:1", "command": ["nginx", "-g", "daemon off;"],
                    "env": {"MODE": "prod", "WORKERS": 4}, "workdir": "/srv", "user": "1000:1000",
                    "resources": {"cpu": "250m", "memory": "1G", "pids": 64,
                      "io": {"readBps": "10Mi", "writeBps": "5Mi", "readIops": 100, "writeIops": 50},
                      "extended": {"gpu": 1}},
                    "network": {"mode": "bridge", "ports": [{"name": "http", "to": 80, "static": 8080}, {"name": "admin", "to": 9000}, {"name": "dns", "to": 53, "protocol": "udp"}]},
                    "killTimeout": "30s"}]}]}
                """, "application/json");
        assertThat(job.type()).isEqualTo(JobType.SERVICE);
        var g = job.groups().getFirst();
        assertThat(g.count()).isEqualTo(3);
        assertThat(g.constraints()).containsExactly(new Constraint("${node.labels.zone}", "=", "a"));
        assertThat(g.restart().mode()).isEqualTo(RestartPolicy.Mode.DELAY);
        var t = g.tasks().getFirst();
        assertThat(t.env()).containsEntry("WORKERS", "4");
        assertThat(t.resources().io().readBps()).isEqualTo(ByteSize.mebibytes(10));
        assertThat(t.resources().extended()).containsEntry("gpu", 1L);
        assertThat(t.network().ports()).containsExactly(new PortSpec("http", 80, 8080), new PortSpec("admin", 9000, null), new PortSpec("dns", 53, null, "udp"));
        assertThat(job.taskCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("every problem is reported at once, each with its path")
    void everyErrorWithItsPath() {
        var errs = errors("""
                {"name": "bad job", "type": "cron", "priority": 500, "groups": [
                  {"name": "g", "count": -1, "tasks": [
                    {"name": "a", "image": "x", "resources": {"memory": "128Mi"}},
                    {"name": "b", "image": "", "resources": {"memory": "12XB", "cpu": "lots"}, "memroy": "1G",
                     "network": {"mode": "bridge", "ports": [{"name": "p", "to": 70000}, {"name": "p", "to": 80, "static": 0}, {"name": "q", "to": 81, "protocol": "sctp"}]}}]},
                  {"tasks": []}]}
                """, "application/json");
        assertThat(errs).contains(
                "name: \"bad job\" is not a valid name (letters, digits, '.', '_' or '-', at most 63, starting with a letter or digit)",
                "type: \"cron\" is not one of batch, service",
                "priority: 500 is out of range 1–100",
                "groups[0].count: -1 is out of range 0–10000",
                "groups[0].tasks[1].image: must not be empty",
                "groups[0].tasks[1].resources.memory: \"12XB\" is not a size (use \"128Mi\", \"1G\" or a number of bytes)",
                "groups[0].tasks[1].resources.cpu: \"lots\" is not a cpu amount (use \"250m\" or \"2\")",
                "groups[0].tasks[1].memroy: is not a known field",
                "groups[0].tasks[1].network.ports[0].to: 70000 is out of range 1–65535",
                "groups[0].tasks[1].network.ports[1].name: \"p\" is already used by groups[0].tasks[1].network.ports[0]",
                "groups[0].tasks[1].network.ports[1].static: 0 is out of range 1–65535",
                "groups[0].tasks[1].network.ports[2].protocol: \"sctp\" is not tcp or udp",
                "groups[1].name: is required when a job has several groups",
                "groups[1].tasks: must have at least one task");
        assertThat(errs).hasSize(14);
    }

    @Test
    @DisplayName("two tasks of one group cannot publish the same static host port")
    void duplicateStaticPortInGroup() {
        var errs = errors("""
                name: j
                groups:
                  - tasks:
                      - {name: a, image: x, network: {ports: [{name: http, to: 80, static: 8080}]}}
                      - {name: b, image: x, network: {ports: [{name: http, to: 81, static: 8080}]}}
                """, "application/yaml");
        assertThat(errs).containsExactly("groups[0].tasks[1].network.ports[0].static: host port 8080 is already published by another port of this group");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing name and groups|{}|name: is required",
            "not an object|[1,2]|must be an object, not a list",
            "broken JSON|{\"name\": |not valid JSON",
            "wrong type of groups|{\"name\":\"j\",\"groups\":{}}|groups: must be a list, not an object",
            "image missing|{\"name\":\"j\",\"groups\":[{\"tasks\":[{}]}]}|groups[0].tasks[0].image: is required",
            "kill timeout too long|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"killTimeout\":\"2h\"}]}]}|groups[0].tasks[0].killTimeout: \"2h\" is longer than the limit of 1h",
            "ports with network none|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"network\":{\"mode\":\"none\",\"ports\":[{\"name\":\"p\",\"to\":1}]}}]}]}|groups[0].tasks[0].network.ports: published ports need network mode bridge, not none",
            "relative workdir|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"workdir\":\"srv\"}]}]}|groups[0].tasks[0].workdir: \"srv\" must be an absolute path",
            "bad env name|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"env\":{\"1X\":\"y\"}}]}]}|groups[0].tasks[0].env.1X: \"1X\" is not a valid variable name",
            "empty document|''|the request body is empty",
            "dedicated cores with another cpu|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"dedicatedCores\":2,\"resources\":{\"cpu\":\"500m\"}}]}]}|groups[0].tasks[0].resources.cpu: must be 2 or left out when dedicatedCores is 2",
            "bad seccomp|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"seccomp\":\"off\"}]}]}|groups[0].tasks[0].seccomp: \"off\" is not one of default, unconfined",
            "relative volume|{\"name\":\"j\",\"groups\":[{\"tasks\":[{\"image\":\"x\",\"volumes\":[{\"source\":\"data\",\"target\":\"/d\"}]}]}]}|groups[0].tasks[0].volumes[0].source: \"data\" must be an absolute host path"})
    void refusedWithAClearMessage(String name, String body, String expected) {
        String doc = body.equals("''") ? "" : body;
        assertThat(String.join("\n", errors(doc, "application/json"))).contains(expected);
    }

    @Test
    @DisplayName("dedicatedCores sets the cpu to that many cores; runtime options are read")
    void runtimeOptions() {
        var t = valid("""
                name: j
                groups:
                  - tasks:
                      - image: x
                        dedicatedCores: 2
                        readOnlyRootfs: true
                        capAdd: [NET_ADMIN]
                        capDrop: [CAP_MKNOD]
                        seccomp: unconfined
                        volumes: [{source: /srv/data, target: /data}]
                """, "application/yaml").groups().getFirst().tasks().getFirst();
        assertThat(t.dedicatedCores()).isEqualTo(2);
        assertThat(t.resources().cpu()).isEqualTo(Cpu.cores(2));
        assertThat(t.readOnlyRootfs()).isTrue();
        assertThat(t.capAdd()).containsExactly("NET_ADMIN");
        assertThat(t.capDrop()).containsExactly("CAP_MKNOD");
        assertThat(t.seccomp()).isEqualTo("unconfined");
        assertThat(t.volumes()).containsExactly(new TaskSpec.Volume("/srv/data", "/data", true));
    }

    @Test
    @DisplayName("a valid spec survives a round trip through the stored JSON form")
    void roundTrip() {
        var job = valid(MINIMAL_YAML, "application/yaml");
        String stored = Json.write(job);
        assertThat(stored).contains("\"memory\":\"128Mi\"", "\"cpu\":\"100m\"", "\"killTimeout\":\"10s\"", "\"type\":\"batch\"");
        assertThat(Json.read(stored, JobSpec.class)).isEqualTo(job);
        assertThat(valid(stored, "application/json")).isEqualTo(job);
    }

    @Test
    @DisplayName("hostile input is refused with its path: an empty body, NUL anywhere, an image that is no reference, a pattern that does not compile")
    void hostileInput() {
        assertThat(errors("", "application/json")).containsExactly("the request body is empty: send a job spec as JSON or YAML");
        assertThat(errors("  \n", null)).containsExactly("the request body is empty: send a job spec as JSON or YAML");
        assertThat(errors("{\"name\": \"a\\u0000b\", \"groups\": [{\"tasks\": [{\"image\": \"busybox\", \"env\": {\"X\": \"1\\u0000\"}}]}]}", null))
                .containsExactlyInAnyOrder("name: must not contain a NUL character", "groups[0].tasks[0].env.X: must not contain a NUL character");
        var bad = errors("""
                {"name": "x", "groups": [{"constraints": [{"attribute": "${node.id}", "operator": "regexp", "value": "(a"}],
                  "tasks": [{"name": "a", "image": "../../../../etc/passwd"}, {"name": "b", "image": "Busybox:1"},
                            {"name": "c", "image": "reg;istry.io/app:1"}, {"name": "d", "image": "busybox@sha256:12"}]}]}""", null);
        assertThat(bad).anyMatch(e -> e.startsWith("groups[0].tasks[0].image: \"../../../../etc/passwd\" is not an image reference: it has an empty, . or .. part"));
        assertThat(bad).anyMatch(e -> e.startsWith("groups[0].tasks[1].image: \"Busybox:1\" is not an image reference"));
        assertThat(bad).anyMatch(e -> e.startsWith("groups[0].tasks[2].image: "));
        assertThat(bad).anyMatch(e -> e.startsWith("groups[0].tasks[3].image: \"busybox@sha256:12\": the digest is not sha256:<64 hex>"));
        assertThat(bad).anyMatch(e -> e.startsWith("groups[0].constraints[0].value: \"(a\" is not a regular expression (RE2 syntax)"));
        assertThat(valid("{\"name\": \"ok\", \"groups\": [{\"tasks\": [{\"image\": \"registry.example:5000/team/app@sha256:"
                + "0".repeat(64) + "\"}]}]}", null).groups().getFirst().tasks().getFirst().image()).startsWith("registry.example:5000/");
    }
}
