package dev.berth.cli;

import dev.berth.cli.client.ApiClient;
import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.image.Image;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.PullTally;
import dev.berth.model.image.ImageRef;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.model.units.ByteSize;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "image", mixinStandardHelpOptions = true,
        description = {"A node's images: pull, import, list, remove, prune. With a Berth API answering (--address, BERTH_ADDR), on its",
                "ready nodes (--node to choose); with none, or with --data-dir, in a data dir on this host. Each command says which."},
        subcommands = {ImageCommands.Pull.class, ImageCommands.Import.class, ImageCommands.ListImages.class, ImageCommands.Remove.class,
                ImageCommands.Prune.class, ImageCommands.Busybox.class})
final class ImageCommands {
    private static final Duration SLOW = Duration.ofMinutes(30);

    /** Where an image command acts: the running nodes, through the API, or a data dir here. */
    sealed interface Where {
        record Nodes(ApiClient api, List<String> ids) implements Where {
        }

        record Local(Path dataDir) implements Where {
            /** Opening the store makes its dirs: only for commands that write. */
            ImageStore store() throws IOException {
                return new ImageStore(dataDir.resolve("images"));
            }

            /** Nothing was ever stored here. */
            boolean empty() {
                return !Files.isDirectory(dataDir.resolve("images"));
            }
        }
    }

    static final class Target {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "act on this data dir directly, not through a running node")
        Path dataDir;

        @Option(names = "--node", paramLabel = "ID", description = "the node to act on (repeatable; default: every ready node)")
        List<String> nodes = new ArrayList<>();

        @picocli.CommandLine.Mixin ApiConnection connection;

        /** The running nodes when an API answers and has ready ones; else the data dir, saying why on {@code err}. */
        Where resolve(PrintWriter err) throws IOException {
            if (dataDir != null) return local(dataDir);
            var api = connection.client();
            if (!api.reachable()) {
                if (!nodes.isEmpty()) throw new IOException("no Berth API answers at " + api.base() + " to reach node " + String.join(", ", nodes));
                Path dir = UpCommand.defaultDataDir();
                err.println("No Berth API answers at " + api.base() + ": using the data dir " + dir + " (a node started on it will see the image).");
                return local(dir);
            }
            var ready = new ArrayList<String>();
            for (Object o : new JsonArray(api.get("/v1/nodes"))) {
                var n = (JsonObject) o;
                if (!"down".equals(n.getString("status"))) ready.add(n.getString("id"));
            }
            if (nodes.isEmpty()) {
                if (ready.isEmpty()) throw new IOException("the Berth API at " + api.base() + " has no ready node; start one, or pass --data-dir");
                return new Where.Nodes(api, ready);
            }
            for (String n : nodes) {
                if (!ready.contains(n)) throw new IOException("node " + n + " is not a ready node of " + api.base() + " (ready: " + String.join(", ", ready) + ")");
            }
            return new Where.Nodes(api, List.copyOf(nodes));
        }

        private static Where local(Path dir) {
            return new Where.Local(dir);
        }
    }

    static String path(String node, String rest) {
        return "/v1/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8) + "/images" + rest;
    }

    static String summary(JsonObject image) {
        return image.getJsonArray("layers").size() + " layer(s), " + ByteSize.ofBytes(image.getLong("size")).human();
    }

    static String summary(Image i) {
        return i.layers().size() + " layer(s), " + ByteSize.ofBytes(i.size()).human();
    }

    @Command(name = "pull", description = "Pull an image from its registry: busybox:1.36, registry.example:5000/team/app@sha256:….")
    static final class Pull implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--registries", paramLabel = "FILE", description = "with --data-dir: mirrors, insecure registries and credentials (a node uses its own)")
        Path registries;
        @Option(names = "--insecure", description = "speak plain http to this image's registry this once (loopback registries always are)")
        boolean insecure;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            switch (target.resolve(spec.commandLine().getErr())) {
                case Where.Nodes n -> {
                    if (registries != null) spec.commandLine().getErr().println("--registries is for --data-dir; each node pulls with its own registries file");
                    for (String node : n.ids()) {
                        out.printf("Pulling %s on node %s…%n", reference, node);
                        out.flush();
                        var r = new JsonObject(n.api().postSlow(path(node, "/pull"), new JsonObject().put("reference", reference).put("insecure", insecure).encode(), SLOW));
                        out.printf("Pulled %s on node %s: %s, %s fetched%n", r.getJsonObject("image").getString("name"), node, summary(r.getJsonObject("image")),
                                ByteSize.ofBytes(r.getLong("fetched", 0L)).human());
                    }
                }
                case Where.Local l -> pullHere(out, l);
            }
            return 0;
        }

        private void pullHere(PrintWriter out, Where.Local l) throws IOException {
            var config = registries != null ? RegistryConfig.read(registries) : RegistryConfig.NONE;
            if (insecure) config = config.withInsecure(ImageRef.parse(reference).registry());
            boolean terminal = System.console() != null;
            var progress = new PullTally() {
                long shown;

                @Override
                public void resolved(String name, int n, long bytes, int alreadyHere) {
                    super.resolved(name, n, bytes, alreadyHere);
                    out.printf("Pulling %s into %s: %d layer(s), %s (%d already here)%n", name, l.dataDir(), n, ByteSize.ofBytes(bytes).human(), alreadyHere);
                    out.flush();
                }

                @Override
                public synchronized void bytes(long n) {
                    super.bytes(n);
                    if (terminal && System.nanoTime() - shown > 200_000_000L) {
                        shown = System.nanoTime();
                        out.printf("\r  %s of %s", ByteSize.ofBytes(got).human(), ByteSize.ofBytes(total).human());
                        out.flush();
                    }
                }

                @Override
                public synchronized void layerDone(String digest, boolean wasHere) {
                    super.layerDone(digest, wasHere);
                    out.printf("%s  layer %d/%d %s %s, %s of %s%n", terminal ? "\r" : "", done, layers, digest.substring(7, 19),
                            wasHere ? "already here" : "done", ByteSize.ofBytes(got).human(), ByteSize.ofBytes(total).human());
                    out.flush();
                }
            };
            Image i = l.store().pull(reference, new RegistryClient(config), progress);
            out.printf("Pulled %s into %s: %d layer(s), %s fetched%n", i.name(), l.dataDir(), i.layers().size(), ByteSize.ofBytes(progress.fetched()).human());
        }
    }

    /** Puts a tar (or an OCI layout dir) where {@code target} says: uploaded to each node, or imported here. */
    static void importTo(Target target, CommandSpec spec, Path file, String name, String from) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        switch (target.resolve(spec.commandLine().getErr())) {
            case Where.Nodes n -> {
                Path tar = Files.isDirectory(file) ? tarOf(file, Files.createTempFile("berth-layout-", ".tar")) : file;
                try {
                    for (String node : n.ids()) {
                        var r = new JsonObject(n.api().postFile(path(node, "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)), tar, SLOW));
                        var image = r.getJsonObject("image");
                        out.printf("Imported %s%s into node %s (%s): %s%n", image.getString("name"), from, node, r.getString("dataDir"), summary(image));
                    }
                } finally {
                    if (tar != file) Files.deleteIfExists(tar);
                }
            }
            case Where.Local l -> {
                Image i = l.store().importImage(file, name);
                out.printf("Imported %s%s into %s: %s%n", i.name(), from, l.dataDir(), summary(i));
            }
        }
    }

    /** An OCI layout dir as one tar, to upload it as a file. */
    static Path tarOf(Path dir, Path tar) throws IOException {
        try (var out = Files.newOutputStream(tar); var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out);
             var files = Files.walk(dir)) {
            t.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            t.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : files.filter(p -> !p.equals(dir)).sorted().toList()) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    t.putArchiveEntry(new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name + "/"));
                } else {
                    var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                    t.putArchiveEntry(e);
                    Files.copy(p, t);
                }
                t.closeArchiveEntry();
            }
        }
        return tar;
    }

    @Command(name = "import", description = "Import an OCI image layout (dir or tar), a `docker save` tar or a plain rootfs tar.")
    static final class Import implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;
        @Parameters(paramLabel = "FILE") Path file;
        @Option(names = "--name", required = true, paramLabel = "NAME:TAG") String name;

        @Override
        public Integer call() throws Exception {
            if (!Files.exists(file)) throw new IOException(file + " does not exist");
            importTo(target, spec, file, name, "");
            return 0;
        }
    }

    @Command(name = "busybox", description = "Make an image from this host's static busybox (apt-get install busybox-static).")
    static final class Busybox implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;
        @Option(names = "--name", defaultValue = "busybox:latest", paramLabel = "NAME:TAG") String name;
        @Option(names = "--from", defaultValue = "/bin/busybox", paramLabel = "PATH") Path busybox;

        @Override
        public Integer call() throws Exception {
            Path tmp = Files.createTempFile("berth-busybox-", ".tar");
            try {
                importTo(target, spec, BusyboxImage.writeTar(busybox, tmp), name, " from " + busybox);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the images of the nodes (or of a data dir).")
    static final class ListImages implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            var where = target.resolve(spec.commandLine().getErr());
            var t = new Tables(where instanceof Where.Nodes ? "NODE" : "DATA DIR", "NAME", "LAYERS", "SIZE", "IMPORTED");
            switch (where) {
                case Where.Nodes n -> {
                    for (String node : n.ids()) {
                        for (Object o : new JsonObject(n.api().get(path(node, ""))).getJsonArray("images")) {
                            var i = (JsonObject) o;
                            t.row(node, i.getString("name"), i.getJsonArray("layers").size(), ByteSize.ofBytes(i.getLong("size")).human(), i.getString("importedAt"));
                        }
                    }
                }
                case Where.Local l -> {
                    for (Image i : l.empty() ? List.<Image>of() : l.store().list()) {
                        t.row(l.dataDir(), i.name(), i.layers().size(), ByteSize.ofBytes(i.size()).human(), i.importedAt());
                    }
                }
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove an image (and the layers no other image uses).")
    static final class Remove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;
        @Parameters(paramLabel = "NAME:TAG") String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            switch (target.resolve(spec.commandLine().getErr())) {
                case Where.Nodes n -> {
                    for (String node : n.ids()) {
                        n.api().delete(path(node, "/" + URLEncoder.encode(name, StandardCharsets.UTF_8)));
                        out.println("Removed " + ImageStore.normalize(name) + " from node " + node);
                    }
                }
                case Where.Local l -> {
                    if (l.empty() || !l.store().remove(name)) throw new IOException("no image " + ImageStore.normalize(name) + " in " + l.dataDir());
                    out.println("Removed " + ImageStore.normalize(name) + " from " + l.dataDir());
                }
            }
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove layers no image uses and unfinished downloads.")
    static final class Prune implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            switch (target.resolve(spec.commandLine().getErr())) {
                case Where.Nodes n -> {
                    for (String node : n.ids()) {
                        var r = new JsonObject(n.api().post(path(node, "/prune"), "", "application/json"));
                        out.printf("Removed %d layer(s), %s on node %s%n", r.getInteger("layers"), ByteSize.ofBytes(r.getLong("bytes")).human(), node);
                    }
                }
                case Where.Local l -> {
                    var pruned = l.empty() ? new ImageStore.Pruned(0, 0) : l.store().prune();
                    out.printf("Removed %d layer(s), %s in %s%n", pruned.layers(), ByteSize.ofBytes(pruned.bytes()).human(), l.dataDir());
                }
            }
            return 0;
        }
    }
}
