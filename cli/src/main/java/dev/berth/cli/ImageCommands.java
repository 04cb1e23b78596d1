package dev.berth.cli;

import dev.berth.executor.image.BusyboxImage;
import dev.berth.executor.image.Image;
import dev.berth.executor.image.ImageStore;
import dev.berth.executor.image.PullTally;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.executor.image.registry.RegistryConfig;
import dev.berth.model.units.ByteSize;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "image", description = "The images of this node (its data dir): pull, import, list, remove, prune.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommands.Pull.class, ImageCommands.Import.class, ImageCommands.ListImages.class, ImageCommands.Remove.class,
                ImageCommands.Prune.class, ImageCommands.Busybox.class})
final class ImageCommands {

    static final class Store {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "the node's data dir (default /var/lib/berth as root, else ~/.berth)")
        Path dataDir;

        ImageStore open() throws java.io.IOException {
            return new ImageStore((dataDir != null ? dataDir : UpCommand.defaultDataDir()).resolve("images"));
        }
    }

    @Command(name = "pull", description = "Pull an image from its registry: busybox:1.36, registry.example:5000/team/app@sha256:….")
    static final class Pull implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;
        @Parameters(paramLabel = "REF") String reference;
        @Option(names = "--registries", paramLabel = "FILE", description = "mirrors, insecure registries and credentials (JSON or YAML; see the README)")
        Path registries;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            var config = registries != null ? RegistryConfig.read(registries) : RegistryConfig.NONE;
            boolean terminal = System.console() != null;
            var progress = new PullTally() {
                long shown;

                @Override
                public void resolved(String name, int n, long bytes, int alreadyHere) {
                    super.resolved(name, n, bytes, alreadyHere);
                    out.printf("Pulling %s: %d layer(s), %s (%d already here)%n", name, n, ByteSize.ofBytes(bytes).human(), alreadyHere);
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
            Image i = store.open().pull(reference, new RegistryClient(config), progress);
            out.printf("Pulled %s: %d layer(s), %s fetched%n", i.name(), i.layers().size(), ByteSize.ofBytes(progress.fetched()).human());
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove layers no image uses and unfinished downloads.")
    static final class Prune implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;

        @Override
        public Integer call() throws Exception {
            var pruned = store.open().prune();
            spec.commandLine().getOut().printf("Removed %d layer(s), %s%n", pruned.layers(), ByteSize.ofBytes(pruned.bytes()).human());
            return 0;
        }
    }

    @Command(name = "import", description = "Import an OCI image layout (dir or tar), a `docker save` tar or a plain rootfs tar.")
    static final class Import implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;
        @Parameters(paramLabel = "FILE") Path file;
        @Option(names = "--name", required = true, paramLabel = "NAME:TAG") String name;

        @Override
        public Integer call() throws Exception {
            Image i = store.open().importImage(file, name);
            spec.commandLine().getOut().printf("Imported %s: %d layer(s), %s%n", i.name(), i.layers().size(),
                    dev.berth.model.units.ByteSize.ofBytes(i.size()).human());
            return 0;
        }
    }

    @Command(name = "busybox", description = "Make an image from this host's static busybox (apt-get install busybox-static).")
    static final class Busybox implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;
        @Option(names = "--name", defaultValue = "busybox:latest", paramLabel = "NAME:TAG") String name;
        @Option(names = "--from", defaultValue = "/bin/busybox", paramLabel = "PATH") Path busybox;

        @Override
        public Integer call() throws Exception {
            Path tmp = Files.createTempFile("berth-busybox-", ".tar");
            try {
                Image i = store.open().importImage(BusyboxImage.writeTar(busybox, tmp), name);
                spec.commandLine().getOut().printf("Imported %s from %s%n", i.name(), busybox);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the images of this node.")
    static final class ListImages implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;

        @Override
        public Integer call() throws Exception {
            var t = new Tables("NAME", "LAYERS", "SIZE", "IMPORTED");
            for (Image i : store.open().list()) {
                t.row(i.name(), i.layers().size(), dev.berth.model.units.ByteSize.ofBytes(i.size()).human(), i.importedAt());
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove an image (and the layers no other image uses).")
    static final class Remove implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin Store store;
        @Parameters(paramLabel = "NAME:TAG") String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (!store.open().remove(name)) {
                spec.commandLine().getErr().println("berth: no image " + ImageStore.normalize(name));
                return 1;
            }
            out.println("Removed " + ImageStore.normalize(name));
            return 0;
        }
    }
}
