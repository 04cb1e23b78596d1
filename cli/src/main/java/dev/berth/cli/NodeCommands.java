package dev.berth.cli;

import io.vertx.core.json.JsonArray;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "node", description = "Inspect executor nodes.", mixinStandardHelpOptions = true,
        subcommands = {NodeCommands.ListNodes.class})
final class NodeCommands {

    @Command(name = "list", description = "List nodes with their capacity and what is allocated on them.")
    static final class ListNodes implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/nodes");
            if (api.json) {
                spec.commandLine().getOut().println(body);
                return 0;
            }
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
