package dev.berth.scheduler.api;

import dev.berth.model.spec.FieldError;
import dev.berth.scheduler.acl.Gate;
import dev.berth.scheduler.acl.Policy;
import dev.berth.scheduler.acl.Token;
import dev.berth.scheduler.acl.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;

/** Tokens: the one-time bootstrap, then create, list and revoke (admin), and "who am I" (any token). */
final class AclApi {
    private static final com.google.re2j.Pattern NAME = com.google.re2j.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private final Vertx vertx;
    private final Tokens tokens;

    AclApi(Vertx vertx, Tokens tokens) {
        this.vertx = vertx;
        this.tokens = tokens;
    }

    void routes(Router r, BodyHandler body) {
        r.post("/v1/acl/bootstrap").handler(this::bootstrap);
        r.get("/v1/acl/tokens").handler(ctx -> Http.json(ctx, 200, new JsonArray(tokens.list().stream().map(AclApi::view).toList())));
        r.post("/v1/acl/tokens").handler(body).handler(this::create);
        r.delete("/v1/acl/tokens/:accessor").handler(this::revoke);
        r.get("/v1/acl/token/self").handler(ctx -> {
            Token t = ctx.get(Gate.TOKEN);
            if (t == null) throw new Http.Problem(404, "this request carries no token (tokens are off on this scheduler, or none was sent)");
            Http.json(ctx, 200, view(t));
        });
    }

    private void bootstrap(RoutingContext ctx) {
        Http.blocking(vertx, tokens::bootstrap).onSuccess(issued -> {
            if (issued.isEmpty()) {
                Http.json(ctx, 409, new JsonObject().put("error", "this cluster's tokens are bootstrapped already (once per cluster);"
                        + " an admin token makes more: berth acl token create"));
            } else {
                Http.json(ctx, 201, view(issued.get().token()).put("secret", issued.get().secret()));
            }
        }).onFailure(ctx::fail);
    }

    private void create(RoutingContext ctx) {
        JsonObject ask;
        try {
            ask = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            ask = null;
        }
        var errors = new ArrayList<FieldError>();
        if (ask == null) {
            Http.errors(ctx, List.of(new FieldError("", "the body must be a JSON object: {\"name\": \"ci\", \"policy\": \"submit\"}")));
            return;
        }
        String name = ask.getValue("name") instanceof String s ? s : null;
        if (name == null || !NAME.matches(name)) {
            errors.add(new FieldError("name", "is required: 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"));
        }
        Policy policy = null;
        String p = ask.getValue("policy") instanceof String s ? s : null;
        if (p == null) {
            errors.add(new FieldError("policy", "is required: read, submit, operate or admin"));
        } else {
            try {
                policy = Policy.of(p);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("policy", "\"" + p + "\" is not one of read, submit, operate, admin"));
            }
        }
        if (!errors.isEmpty()) {
            Http.errors(ctx, errors);
            return;
        }
        Policy chosen = policy;
        Http.blocking(vertx, () -> tokens.create(name, chosen))
                .onSuccess(issued -> Http.json(ctx, 201, view(issued.token()).put("secret", issued.secret())))
                .onFailure(ctx::fail);
    }

    private void revoke(RoutingContext ctx) {
        String accessor = ctx.pathParam("accessor");
        Http.reply(ctx, 200, Http.blocking(vertx, () -> tokens.revoke(accessor).map(AclApi::view)
                .orElseThrow(() -> Http.notFound("token", accessor))));
    }

    /** A token as the API shows it: never its secret's hash. */
    static JsonObject view(Token t) {
        return new JsonObject().put("accessor", t.accessor()).put("name", t.name()).put("policy", t.policy().label())
                .put("createdAt", t.createdAt().toString());
    }
}
