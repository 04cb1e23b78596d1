package dev.berth.cli;

import dev.berth.model.units.ByteSize;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "capacity", description = "Capacity per node: offered, allocated, used, headroom; `fit FILE`: how many more of a job fit.",
        mixinStandardHelpOptions = true, subcommands = {CapacityCommands.Fit.class})
final class CapacityCommands implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ApiOptions api;

    @Override
    public Integer call() throws Exception {
        String body = api.client().get("/v1/capacity");
        if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
        var c = new JsonObject(body);
        var t = new Tables("NODE", "STATUS", "CPU CAP", "ALLOC", "USED", "HEADROOM", "MEM CAP", "ALLOC", "USED", "HEADROOM");
        for (Object o : c.getJsonArray("nodes")) {
            var n = (JsonObject) o;
            var cpu = n.getJsonObject("cpu");
            var mem = n.getJsonObject("memory");
            t.row(n.getString("id"), n.getString("status"), cores(cpu, "capacity"), cores(cpu, "allocated"), cores(cpu, "used"),
                    String.format("%.2f", cpu.getJsonObject("headroom").getDouble("allocatable")),
                    bytes(mem, "capacity"), bytes(mem, "allocated"), bytes(mem, "used"),
                    ByteSize.ofBytes(mem.getJsonObject("headroom").getDouble("allocatable").longValue()).human());
        }
        var cpu = c.getJsonObject("cluster").getJsonObject("cpu");
        var mem = c.getJsonObject("cluster").getJsonObject("memory");
        t.row("(cluster)", "", cores(cpu, "capacity"), cores(cpu, "allocated"), cores(cpu, "used"),
                String.format("%.2f", cpu.getJsonObject("headroom").getDouble("allocatable")),
                bytes(mem, "capacity"), bytes(mem, "allocated"), bytes(mem, "used"),
                ByteSize.ofBytes(mem.getJsonObject("headroom").getDouble("allocatable").longValue()).human());
        t.print(spec.commandLine().getOut());
        return 0;
    }

    private static String cores(JsonObject r, String key) {
        return String.format("%.2f", r.getDouble(key));
    }

    private static String bytes(JsonObject r, String key) {
        return ByteSize.ofBytes(r.getDouble(key).longValue()).human();
    }

    @Command(name = "fit", description = "How many more instances of each group of FILE fit on the cluster now, and why the next does not.")
    static final class Fit implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws Exception {
            String text = Files.readString(file);
            String body = api.client().post("/v1/capacity/fit", text, JobCommands.Run.contentType(file, text));
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            for (Object o : new JsonObject(body).getJsonArray("groups")) {
                var g = (JsonObject) o;
                spec.commandLine().getOut().printf("%s: %d more fit %s; the next: %s%n", g.getString("group"), g.getInteger("fits"),
                        g.getJsonObject("nodes").encode(), g.getString("nextFails"));
            }
            return 0;
        }
    }
}
