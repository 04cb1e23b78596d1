package dev.berth.executor;

import dev.berth.executor.image.Image;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.PullTally;
import dev.berth.model.image.ImageRef;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.transport.SchedulerLink.Inbound;
import dev.berth.model.codec.Json;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * This node's images, for {@code berth image …} through the API: list, pull (on the pull pool),
 * an uploaded tar received in chunks and imported, remove, prune — so that an image lands in the
 * store the running node reads, not in a data dir the CLI guessed.
 */
final class ImageService {
    private static final Pattern UPLOAD_ID = Pattern.compile("[a-z0-9]{8,40}");

    private final Vertx vertx;
    private final ExecutorConfig config;
    private final ImageStore store;
    private final WorkerExecutor pulls;
    private final Path uploads;

    /** Blocking (opens the store). */
    ImageService(Vertx vertx, ExecutorConfig config, WorkerExecutor pulls) throws IOException {
        this.vertx = vertx;
        this.config = config;
        this.store = NodeRuntime.images(config);
        this.pulls = pulls;
        this.uploads = Files.createDirectories(config.dataDir().resolve("images").resolve("uploads"));
    }

    void handle(Inbound m) {
        String op = m.body().getString("op", "");
        switch (op) {
            case "list" -> blocking(m, () -> {
                var list = new JsonArray();
                for (Image i : store.list()) list.add(json(i));
                return answer().put("images", list);
            });
            case "pull" -> pull(m);
            case "upload" -> blocking(m, () -> append(m.body()));
            case "import" -> blocking(m, () -> importUpload(m.body()));
            case "remove" -> blocking(m, () -> {
                String name = m.body().getString("name", "");
                if (!store.remove(name)) throw new Refusal(404, "no image " + name + " on node " + config.nodeId());
                return answer().put("removed", ImageStore.normalize(name));
            });
            case "prune" -> blocking(m, () -> {
                var p = store.prune();
                return answer().put("layers", p.layers()).put("bytes", p.bytes());
            });
            default -> m.fail(400, "unknown image operation \"" + op + "\" (list, pull, upload, import, remove, prune)");
        }
    }

    private void pull(Inbound m) {
        String reference = m.body().getString("reference", "");
        boolean insecure = m.body().getBoolean("insecure", false);
        pulls.executeBlocking(() -> {
            var registries = config.registryConfig();
            if (insecure) registries = registries.withInsecure(ImageRef.parse(reference).registry());
            var tally = new PullTally();
            Image i = store.pull(reference, new RegistryClient(registries), tally);
            return answer().put("image", json(i)).put("fetched", tally.fetched());
        }, false).onSuccess(m::reply).onFailure(e -> fail(m, e));
    }

    /** Appends a chunk at {@code offset}, which must be what the upload holds so far (a retried or lost chunk is caught). */
    private JsonObject append(JsonObject body) throws IOException {
        Path file = upload(body.getString("upload", ""));
        long offset = body.getLong("offset", -1L);
        long size = Files.exists(file) ? Files.size(file) : 0;
        if (offset != size) throw new Refusal(409, "upload " + file.getFileName() + " holds " + size + " bytes, not " + offset);
        Files.write(file, Base64.getDecoder().decode(body.getString("data", "")), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return answer().put("size", Files.size(file));
    }

    private JsonObject importUpload(JsonObject body) throws IOException {
        Path file = upload(body.getString("upload", ""));
        if (!Files.exists(file)) throw new Refusal(404, "no upload " + file.getFileName() + " on node " + config.nodeId());
        try {
            return answer().put("image", json(store.importImage(file, body.getString("name", ""))));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Path upload(String id) {
        if (!UPLOAD_ID.matcher(id).matches()) throw new Refusal(400, "upload id \"" + id + "\" is not valid");
        return uploads.resolve(id + ".tar");
    }

    private JsonObject answer() {
        return new JsonObject().put("node", config.nodeId()).put("dataDir", config.dataDir().toString());
    }

    private static JsonObject json(Image i) {
        return new JsonObject(Json.write(i));
    }

    private interface Work {
        JsonObject run() throws Exception;
    }

    private void blocking(Inbound m, Work work) {
        vertx.executeBlocking(work::run, false).onSuccess(m::reply).onFailure(e -> fail(m, e));
    }

    private static void fail(Inbound m, Throwable e) {
        if (e instanceof Refusal r) m.fail(r.status, r.getMessage());
        else if (e instanceof IllegalArgumentException) m.fail(400, e.getMessage());
        else m.fail(500, e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /** A refusal with the HTTP-like status the API passes on. */
    private static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
