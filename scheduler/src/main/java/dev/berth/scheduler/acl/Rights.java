package dev.berth.scheduler.acl;

import io.vertx.core.http.HttpMethod;
import java.util.Optional;

/**
 * Which policy a request needs, from its method and path alone, so that one table decides for
 * every route. Deny by default: a write this table does not name needs {@code admin}, so a new
 * route is closed until someone places it here.
 */
public final class Rights {
    private Rights() {
    }

    /** The policy the request needs; empty when it is open to all (health, the one-time bootstrap). */
    public static Optional<Policy> required(HttpMethod method, String path) {
        if (path.equals("/health")) return Optional.empty();
        // the web UI's files hold no data; the pages ask for a token when the API wants one
        if ((method == HttpMethod.GET || method == HttpMethod.HEAD) && (path.equals("/") || under(path, "/ui"))) return Optional.empty();
        if (path.equals("/v1/acl/bootstrap") && method == HttpMethod.POST) return Optional.empty();
        if (path.startsWith("/v1/acl/")) return Optional.of(path.equals("/v1/acl/token/self") ? Policy.READ : Policy.ADMIN);
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) return Optional.of(Policy.READ);
        // a question that changes nothing, asked with a body
        if (path.equals("/v1/capacity/fit") && method == HttpMethod.POST) return Optional.of(Policy.READ);
        if (under(path, "/v1/jobs")) return Optional.of(Policy.SUBMIT);
        if (under(path, "/v1/nodes") || under(path, "/v1/queues")) return Optional.of(Policy.OPERATE);
        return Optional.of(Policy.ADMIN);
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
