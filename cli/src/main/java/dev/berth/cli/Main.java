package dev.berth.cli;

import dev.berth.cli.client.ApiException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} command. */
@Command(name = "berth", mixinStandardHelpOptions = true, version = "berth 0.1.0",
        description = "Berth: a cluster scheduler with per-node executors.",
        subcommands = {UpCommand.class, SchedulerCommand.class, ExecutorCommand.class, AclCommands.class, TlsCommands.class, JobCommands.class, AllocCommands.class, NodeCommands.class, QueueCommands.class, CapacityCommands.class, AcctCommand.class, ImageCommands.class, KafkaCommand.class,
                SimCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given output streams; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        var cmd = new CommandLine(new Main()).setOut(out).setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ApiException api) {
                line.getErr().println(refusal(api));
            } else if (e instanceof IOException || e instanceof IllegalArgumentException) {
                line.getErr().println("berth: " + e.getMessage());
            } else {
                throw e;
            }
            return 1;
        });
        return cmd.execute(args);
    }

    /** The API's refusal in its own words: {@code error}, or each {@code errors} entry as "path: message"; else the body as it came. */
    static String refusal(ApiException api) {
        if (api.body.isBlank()) return "berth: HTTP " + api.status;
        try {
            var body = new io.vertx.core.json.JsonObject(api.body);
            if (body.getValue("error") instanceof String error) return "berth: " + error + " (HTTP " + api.status + ")";
            if (body.getValue("errors") instanceof io.vertx.core.json.JsonArray errors) {
                var b = new StringBuilder("berth: the request was refused (HTTP " + api.status + "):");
                for (Object o : errors) {
                    var err = (io.vertx.core.json.JsonObject) o;
                    String path = err.getString("path", "");
                    b.append("\n  ").append(path.isEmpty() ? "" : path + ": ").append(err.getString("message"));
                }
                return b.toString();
            }
        } catch (RuntimeException notJson) {
            // not the API's JSON: say what came
        }
        return api.body;
    }
}
