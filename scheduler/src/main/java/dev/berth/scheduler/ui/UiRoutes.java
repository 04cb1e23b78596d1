package dev.berth.scheduler.ui;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the web UI under {@code /ui/} and sends {@code /} there. Every page path without a file
 * extension ({@code /ui/jobs/j-1}) answers with the one page shell, whose scripts render the page
 * from the path, so a link can be shared and reloaded. The files are open (they hold no data);
 * every call they make goes to {@code /v1/} with the user's token.
 */
public final class UiRoutes {
    /** Scripts only from this origin; uPlot sizes its elements with inline styles. */
    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final UiAssets assets;

    public UiRoutes(UiAssets assets) {
        this.assets = assets;
    }

    public void routes(Router r) {
        r.get("/").handler(ctx -> redirect(ctx, "/ui/"));
        r.get("/ui").handler(ctx -> redirect(ctx, "/ui/"));
        r.get("/ui/*").handler(this::serve);
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(302).putHeader("Location", to).end();
    }

    private void serve(RoutingContext ctx) {
        String path = ctx.request().path().substring("/ui/".length());
        String last = path.substring(path.lastIndexOf('/') + 1);
        var asset = last.contains(".") ? assets.find(path) : java.util.Optional.of(assets.shell());
        if (asset.isEmpty()) {
            ctx.next(); // the API's 404, in JSON
            return;
        }
        UiAssets.Asset a = asset.get();
        HttpServerResponse res = ctx.response()
                .putHeader("Content-Type", a.contentType())
                .putHeader("ETag", a.etag())
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Content-Security-Policy", POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
        if (a.etag().equals(ctx.request().getHeader("If-None-Match"))) {
            res.setStatusCode(304).end();
            return;
        }
        res.end(io.vertx.core.buffer.Buffer.buffer(a.bytes()));
    }
}
