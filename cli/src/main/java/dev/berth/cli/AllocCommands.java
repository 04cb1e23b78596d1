package dev.berth.cli;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "alloc", description = "Inspect allocations and read their logs.", mixinStandardHelpOptions = true,
        subcommands = {AllocCommands.Status.class, AllocCommands.Logs.class})
final class AllocCommands {

    @Command(name = "status", description = "Show one allocation.")
    static final class Status implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/allocations/" + id);
            PrintWriter out = spec.commandLine().getOut();
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var a = new JsonObject(body);
            out.printf("ID         %s%nJob        %s%nGroup      %s[%d]%nTask       %s%nNode       %s%nStatus     %s%n",
                    a.getString("id"), a.getString("jobId"), a.getString("group"), a.getInteger("index"), a.getString("task"),
                    orDash(a.getString("nodeId")), a.getString("status"));
            out.printf("Exit code  %s%nReason     %s%nCreated    %s%nStarted    %s%nFinished   %s%n",
                    orDash(a.getInteger("exitCode")), orDash(a.getString("reason")), a.getString("createdAt"),
                    orDash(a.getString("startedAt")), orDash(a.getString("finishedAt")));
            var net = a.getJsonObject("network");
            if (net != null) {
                out.printf("Network    %s%s%n", net.getString("mode"), net.getString("ip") != null ? " " + net.getString("ip") : "");
                var ports = net.getJsonArray("ports");
                for (int i = 0; ports != null && i < ports.size(); i++) {
                    var p = ports.getJsonObject(i);
                    String udp = "udp".equals(p.getString("protocol")) ? "/udp" : "";
                    out.printf("Port       %s: host %d%s -> %d%s%n", p.getString("name"), p.getInteger("host"), udp, p.getInteger("to"), udp);
                }
            }
            return 0;
        }

        private static String orDash(Object o) {
            return o == null ? "-" : o.toString();
        }
    }

    @Command(name = "logs", description = "Print an allocation's stdout (or stderr).")
    static final class Logs implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ID") String id;
        @Option(names = {"-f", "--follow"}, description = "keep printing until the allocation ends") boolean follow;
        @Option(names = "--stderr", description = "print stderr instead of stdout") boolean stderr;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String path = "/v1/allocations/" + id + "/logs?stream=" + (stderr ? "stderr" : "stdout") + "&follow=" + follow;
            try (InputStream in = api.client().stream(path)) {
                var buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.print(new String(buf, 0, n, StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            return 0;
        }
    }
}
