package dev.berth.cli;

import dev.berth.cli.client.ApiException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} command. */
@Command(name = "berth", mixinStandardHelpOptions = true, version = "berth 0.1.0",
        description = "Berth: a cluster scheduler with per-node executors.",
        subcommands = {UpCommand.class, SchedulerCommand.class, ExecutorCommand.class, AclCommands.class, TlsCommands.class, JobCommands.class, AllocCommands.class, NodeCommands.class, CapacityCommands.class, ImageCommands.class,
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
                line.getErr().println(api.body.isBlank() ? "HTTP " + api.status : api.body);
            } else if (e instanceof IOException || e instanceof IllegalArgumentException) {
                line.getErr().println("berth: " + e.getMessage());
            } else {
                throw e;
            }
            return 1;
        });
        return cmd.execute(args);
    }
}
