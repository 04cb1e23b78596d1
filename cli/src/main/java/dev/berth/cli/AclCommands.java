package dev.berth.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "acl", mixinStandardHelpOptions = true, description = "API tokens: bootstrap the first, then make, list and revoke them.",
        subcommands = {AclCommands.Bootstrap.class, AclCommands.TokenCommands.class})
final class AclCommands {

    @Command(name = "bootstrap", description = "Make the cluster's first token (policy admin). Works once per cluster; keep its secret safe.")
    static final class Bootstrap implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().post("/v1/acl/bootstrap", "", "application/json");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new JsonObject(body);
            spec.commandLine().getOut().printf("Accessor %s%nSecret   %s%nPolicy   %s%n%nThe secret is shown only now. Use it as BERTH_TOKEN or --token.%n",
                    t.getString("accessor"), t.getString("secret"), t.getString("policy"));
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Make, list and revoke tokens (needs an admin token).",
            subcommands = {Create.class, ListTokens.class, Revoke.class, Self.class})
    static final class TokenCommands {
    }

    @Command(name = "create", description = "Make a token: read (every GET), submit (also jobs), operate (also nodes, queues), admin (also tokens).")
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Option(names = "--name", required = true, description = "who or what holds it (shown in the audit log)") String name;
        @Option(names = "--policy", required = true, description = "read, submit, operate or admin") String policy;

        @Override
        public Integer call() throws Exception {
            String body = api.client().post("/v1/acl/tokens", new JsonObject().put("name", name).put("policy", policy).encode(), "application/json");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new JsonObject(body);
            spec.commandLine().getOut().printf("Accessor %s%nSecret   %s%nName     %s%nPolicy   %s%n%nThe secret is shown only now.%n",
                    t.getString("accessor"), t.getString("secret"), t.getString("name"), t.getString("policy"));
            return 0;
        }
    }

    @Command(name = "list", description = "List the tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/acl/tokens");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var table = new Tables("ACCESSOR", "NAME", "POLICY", "CREATED");
            for (Object o : new JsonArray(body)) {
                var t = (JsonObject) o;
                table.row(t.getString("accessor"), t.getString("name"), t.getString("policy"), t.getString("createdAt"));
            }
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token by its accessor id; it stops working on every member at once.")
    static final class Revoke implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;
        @Parameters(paramLabel = "ACCESSOR") String accessor;

        @Override
        public Integer call() throws Exception {
            var t = new JsonObject(api.client().delete("/v1/acl/tokens/" + java.net.URLEncoder.encode(accessor, java.nio.charset.StandardCharsets.UTF_8)));
            spec.commandLine().getOut().printf("Revoked token %s (%s, %s)%n", t.getString("accessor"), t.getString("name"), t.getString("policy"));
            return 0;
        }
    }

    @Command(name = "self", description = "Show the token this command sends.")
    static final class Self implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ApiOptions api;

        @Override
        public Integer call() throws Exception {
            String body = api.client().get("/v1/acl/token/self");
            if (api.printedJson(spec.commandLine().getOut(), body)) return 0;
            var t = new JsonObject(body);
            spec.commandLine().getOut().printf("Accessor %s%nName     %s%nPolicy   %s%n", t.getString("accessor"), t.getString("name"), t.getString("policy"));
            return 0;
        }
    }
}
