package dev.berth.cli;

import io.vertx.core.json.JsonArray;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "node", description = "Inspect executor nodes.", mixinStandardHelpOptions = true,
        subcommands = {NodeCommands.ListNodes.class, NodeCommands.Drain.class, NodeCommands.Eligibility.class, NodeCommands.Remove.class})
final class NodeCommands {

    @Command(name = "drain", description = "Drain a node: no new work; its service allocations move elsewhere; batch ones finish.")
    static final class Drain implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @picocli.CommandLine.Parameters(paramLabel = "ID") String id;
        @picocli.CommandLine.Option(names = "--disable", description = "end the drain") boolean disable;

        @Override
        public Integer call() throws Exception {
            var n = new io.vertx.core.json.JsonObject(api.client().post("/v1/nodes/" + id + "/drain",
                    new io.vertx.core.json.JsonObject().put("enable", !disable).encode(), "application/json"));
            spec.commandLine().getOut().printf("Node %s is %s%s%n", id, n.getString("status"),
                    disable ? "" : " (" + n.getInteger("migrating", 0) + " allocation(s) moving)");
            return 0;
        }
    }

    @Command(name = "eligibility", description = "Let a node take new work (--enable) or not (--disable); running work stays.")
    static final class Eligibility implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @picocli.CommandLine.Parameters(paramLabel = "ID") String id;
        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1") Choice choice;

        static final class Choice {
            @picocli.CommandLine.Option(names = "--enable") boolean enable;
            @picocli.CommandLine.Option(names = "--disable") boolean disable;
        }

        @Override
        public Integer call() throws Exception {
            var n = new io.vertx.core.json.JsonObject(api.client().post("/v1/nodes/" + id + "/eligibility",
                    new io.vertx.core.json.JsonObject().put("eligible", choice.enable).encode(), "application/json"));
            spec.commandLine().getOut().printf("Node %s is %s%n", id, n.getBoolean("eligible") ? "eligible" : "not eligible for new work");
            return 0;
        }
    }

    @Command(name = "remove", description = "Forget a node that is down and holds no live allocation; its block of the container range is freed.")
    static final class Remove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @picocli.CommandLine.Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            var r = new io.vertx.core.json.JsonObject(api.client().delete("/v1/nodes/" + id));
            String freed = r.getString("freedSubnet");
            spec.commandLine().getOut().printf("Node %s removed%s%n", id, freed == null ? "" : "; subnet " + freed + " is free again");
            return 0;
        }
    }

    @Command(name = "list", description = "List nodes with their capacity and what is allocated on them.")
    static final class ListNodes implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/nodes");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new Tables("ID", "ADDRESS", "STATUS", "CPU", "MEMORY", "ALLOCATIONS", "LAST HEARTBEAT");
            var nodes = new JsonArray(body);
            for (int i = 0; i < nodes.size(); i++) {
                var n = nodes.getJsonObject(i);
                var cap = n.getJsonObject("capacity");
                var used = n.getJsonObject("allocated");
                t.row(n.getString("id"), n.getString("address"), n.getString("status"),
                        used.getString("cpu") + "/" + cap.getString("cpu"), human(used.getString("memory")) + "/" + human(cap.getString("memory")),
                        n.getInteger("allocations"), n.getString("lastHeartbeat"));
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }

        private static String human(String size) {
            return dev.berth.model.units.ByteSize.parse(size).human();
        }
    }
}
