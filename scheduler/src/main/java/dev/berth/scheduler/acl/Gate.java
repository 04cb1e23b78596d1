package dev.berth.scheduler.acl;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;

/**
 * The API's front door, the first handler of every request: finds the token, checks that its
 * policy allows the request ({@link Rights}), refuses with 401 or 403 in JSON with the reason, and
 * records every write in the audit log with its outcome. With tokens off it only records.
 */
public final class Gate implements Handler<RoutingContext> {
    /** The token of the request, for handlers that need to know who asks. */
    public static final String TOKEN = "berth.token";

    private final Tokens tokens;
    private final boolean enforce;
    private final AuditLog audit;
    private final Clock clock;

    /** @param audit null: no audit log (no data dir) */
    public Gate(Tokens tokens, boolean enforce, AuditLog audit, Clock clock) {
        this.tokens = tokens;
        this.enforce = enforce;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        var req = ctx.request();
        String path = ctx.normalizedPath();
        Optional<Token> token = tokens.find(bearer(req.getHeader("Authorization")));
        token.ifPresent(t -> ctx.put(TOKEN, t));
        if (audit != null && writes(req.method())) {
            String when = clock.instant().toString();
            String remote = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
            ctx.addEndHandler(done -> audit.record(new AuditLog.Entry(when, token.map(Token::name).orElse("anonymous"),
                    token.map(Token::accessor).orElse(null), req.method().name(), path, remote, ctx.response().getStatusCode())));
        }
        Optional<Policy> needed = Rights.required(req.method(), path);
        if (!enforce || needed.isEmpty()) {
            ctx.next();
            return;
        }
        if (token.isEmpty()) {
            refuse(ctx, 401, req.getHeader("Authorization") == null
                    ? "this API needs a token: send \"Authorization: Bearer <token>\" (berth: --token or BERTH_TOKEN; the first comes from berth acl bootstrap)"
                    : "the token is not valid: unknown or revoked");
        } else if (!token.get().policy().allows(needed.get())) {
            refuse(ctx, 403, "token \"" + token.get().name() + "\" has policy " + token.get().policy().label() + "; "
                    + req.method().name() + " " + path + " needs " + needed.get().label());
        } else {
            ctx.next();
        }
    }

    private static boolean writes(io.vertx.core.http.HttpMethod m) {
        return !(m == io.vertx.core.http.HttpMethod.GET || m == io.vertx.core.http.HttpMethod.HEAD || m == io.vertx.core.http.HttpMethod.OPTIONS);
    }

    private static void refuse(RoutingContext ctx, int status, String reason) {
        var res = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (status == 401) res.putHeader("WWW-Authenticate", "Bearer realm=\"berth\"");
        res.end(new JsonObject().put("error", reason).encode());
    }

    static String bearer(String header) {
        if (header == null) return null;
        String h = header.strip();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
    }
}
