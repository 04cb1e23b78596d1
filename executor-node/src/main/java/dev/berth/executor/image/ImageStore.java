package dev.berth.executor.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.image.ImageRef;
import dev.berth.executor.image.registry.RegistryClient;
import dev.berth.model.codec.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * The node's images: layers unpacked once by digest under {@code layers/}, shared read-only by every
 * container as overlay lower dirs, and a small index of names. Imports take an OCI image layout (dir
 * or tar), a {@code docker save} tar, or a plain rootfs tar. A layer is unpacked into a temporary dir
 * and renamed into place, so an interrupted import leaves no half layer. Several processes (the
 * executor, {@code berth image}) may use one store; the index is changed under a file lock.
 */
public final class ImageStore {
    private final Path root;

    public ImageStore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("layers"));
        Files.createDirectories(root.resolve("tmp"));
    }

    public Path layerDir(String digest) {
        return root.resolve("layers").resolve(digest.replace(':', '-'));
    }

    /** The name the store knows an image by ({@code busybox} is {@code busybox:latest}), read with the one grammar of image references. */
    public static String normalize(String name) {
        return ImageRef.parse(name).storeName();
    }

    public Optional<Image> find(String name) throws IOException {
        return Optional.ofNullable(index().get(normalize(name)));
    }

    public List<Image> list() throws IOException {
        return new ArrayList<>(index().values());
    }

    /** Imports FILE (a dir or a tar) as {@code name}; returns the image. */
    public Image importImage(Path source, String name) throws IOException {
        String n = normalize(name);
        if (!Files.exists(source)) throw new IOException(source + " does not exist");
        Path work = Files.createTempDirectory(root.resolve("tmp"), "import-");
        try {
            Image image;
            if (Files.isDirectory(source)) {
                image = fromOciLayout(source, n);
            } else if (isArchiveOfImage(source)) {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(source))) {
                    extract(in, work);
                }
                image = Files.exists(work.resolve("manifest.json")) ? fromDockerSave(work, n) : fromOciLayout(work, n);
            } else {
                String digest = digestOf(source);
                addLayer(digest, source);
                image = new Image(n, List.of(digest), ImageConfig.EMPTY, Files.size(source), Instant.now());
            }
            var saved = image;
            updateIndex(idx -> idx.put(n, saved));
            return image;
        } finally {
            deleteTree(work);
        }
    }

    /** What a pull reports as it goes. */
    public interface PullListener {
        PullListener NONE = new PullListener() { };

        /** The manifest is known: so many layers and bytes, so many of them already here. */
        default void resolved(String name, int layers, long bytes, int cached) {
        }

        default void bytes(long n) {
        }

        default void layerDone(String digest, boolean cached) {
        }
    }

    /** In this process, one pull per layer at a time; across processes, a lock file per layer. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Object> PULLING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Pulls {@code reference} from its registry (or a mirror): the manifest for this node's
     * platform, each layer this store lacks (verified, unpacked once, shared with other images),
     * the config; then names the image. Layers already here are not fetched again; a layer that
     * another pull is fetching is waited for, not fetched twice.
     */
    public Image pull(String reference, RegistryClient client, PullListener listener) throws IOException {
        ImageRef ref;
        try {
            ref = ImageRef.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        var where = client.resolve(ref);
        long bytes = 0;
        int cached = 0;
        for (var d : where.layers()) {
            bytes += d.size();
            if (Files.isDirectory(layerDir(d.digest()))) cached++;
        }
        listener.resolved(ref.storeName(), where.layers().size(), bytes, cached);
        var digests = new ArrayList<String>();
        for (var d : where.layers()) {
            if (!d.digest().matches("sha256:[0-9a-f]{64}")) throw new IOException("layer \"" + d.digest() + "\" of " + ref + " is not a sha256 digest");
            pullLayer(ref, where, d, client, listener);
            digests.add(d.digest());
        }
        ImageConfig config = config(client.json(where, ref, where.config()));
        var image = new Image(ref.storeName(), digests, config, bytes, Instant.now());
        updateIndex(idx -> idx.put(image.name(), image));
        return image;
    }

    private void pullLayer(ImageRef ref, RegistryClient.Resolved where, RegistryClient.Descriptor d, RegistryClient client, PullListener listener)
            throws IOException {
        String hex = d.digest().substring(7);
        Path downloads = Files.createDirectories(root.resolve("downloads"));
        synchronized (PULLING.computeIfAbsent(d.digest(), k -> new Object())) {
            try (FileChannel lock = FileChannel.open(downloads.resolve(hex + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var held = lock.lock()) {
                if (Files.isDirectory(layerDir(d.digest()))) {
                    listener.layerDone(d.digest(), true);
                    return;
                }
                // kept across an interrupted pull: the next one asks the registry for the rest
                Path partial = downloads.resolve(hex + ".partial");
                boolean resumed = Files.exists(partial);
                try {
                    client.download(where, ref, d, partial, listener::bytes);
                } catch (RegistryClient.DigestMismatch e) {
                    if (!resumed) throw e;
                    // what an earlier pull left was not a prefix of this blob: it is gone now, start over once
                    client.download(where, ref, d, partial, listener::bytes);
                }
                addLayer(d.digest(), partial);
                Files.deleteIfExists(partial);
                listener.layerDone(d.digest(), false);
            }
        }
    }

    /** What {@link #prune} freed. */
    public record Pruned(int layers, long bytes) {
    }

    /** Removes layers no image names and downloads no pull is working on. */
    public Pruned prune() throws IOException {
        var used = new java.util.HashSet<String>();
        index().values().forEach(i -> i.layers().forEach(l -> used.add(layerDir(l).getFileName().toString())));
        int layers = 0;
        long bytes = 0;
        try (Stream<Path> dirs = Files.list(root.resolve("layers"))) {
            for (Path dir : dirs.toList()) {
                if (used.contains(dir.getFileName().toString())) continue;
                bytes += sizeOf(dir);
                deleteTree(dir);
                layers++;
            }
        }
        Path downloads = root.resolve("downloads");
        if (Files.isDirectory(downloads)) {
            try (Stream<Path> files = Files.list(downloads)) {
                for (Path lockFile : files.filter(f -> f.toString().endsWith(".lock")).toList()) {
                    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE); var held = ch.tryLock()) {
                        if (held == null) continue; // a pull is at it
                        Path partial = lockFile.resolveSibling(lockFile.getFileName().toString().replace(".lock", ".partial"));
                        if (Files.exists(partial)) bytes += Files.size(partial);
                        Files.deleteIfExists(partial);
                        Files.deleteIfExists(lockFile);
                    }
                }
            }
        }
        return new Pruned(layers, bytes);
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Removes the name, and each of its layers that no other image uses. */
    public boolean remove(String name) throws IOException {
        String n = normalize(name);
        var removed = new ArrayList<Image>();
        updateIndex(idx -> {
            Image i = idx.remove(n);
            if (i != null) removed.add(i);
        });
        if (removed.isEmpty()) return false;
        var used = index().values().stream().flatMap(i -> i.layers().stream()).toList();
        for (String layer : removed.getFirst().layers()) {
            if (!used.contains(layer)) deleteTree(layerDir(layer));
        }
        return true;
    }

    private boolean isArchiveOfImage(Path tar) throws IOException {
        try (var in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar)))) {
            TarArchiveEntry e;
            int seen = 0;
            while ((e = in.getNextEntry()) != null && seen++ < 10_000) {
                String n = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (n.equals("manifest.json") || n.equals("oci-layout")) return true;
            }
            return false;
        } catch (IOException e) {
            throw new IOException(tar + " is neither a dir nor a tar: " + e.getMessage(), e);
        }
    }

    private Image fromDockerSave(Path dir, String name) throws IOException {
        JsonNode manifest = Json.mapper().readTree(dir.resolve("manifest.json").toFile());
        if (!manifest.isArray() || manifest.isEmpty()) throw new IOException("manifest.json of the docker save tar lists no image");
        JsonNode m = manifest.get(0);
        var layers = new ArrayList<String>();
        long size = 0;
        for (JsonNode l : m.path("Layers")) {
            Path file = LayerUnpacker.inside(dir, l.asText());
            String digest = digestOf(file);
            addLayer(digest, file);
            layers.add(digest);
            size += Files.size(file);
        }
        ImageConfig config = config(Json.mapper().readTree(LayerUnpacker.inside(dir, m.path("Config").asText()).toFile()));
        return new Image(name, layers, config, size, Instant.now());
    }

    private Image fromOciLayout(Path dir, String name) throws IOException {
        if (!Files.exists(dir.resolve("oci-layout")) || !Files.exists(dir.resolve("index.json"))) {
            throw new IOException(dir + " is not an OCI image layout (no oci-layout and index.json)");
        }
        JsonNode index = Json.mapper().readTree(dir.resolve("index.json").toFile());
        JsonNode desc = index.path("manifests").path(0);
        JsonNode manifest = blob(dir, desc.path("digest").asText());
        while (manifest.has("manifests")) { // an image index: take linux/amd64, else the first
            JsonNode pick = manifest.path("manifests").get(0);
            for (JsonNode d : manifest.path("manifests")) {
                if ("amd64".equals(d.path("platform").path("architecture").asText()) && "linux".equals(d.path("platform").path("os").asText())) pick = d;
            }
            manifest = blob(dir, pick.path("digest").asText());
        }
        var layers = new ArrayList<String>();
        long size = 0;
        for (JsonNode l : manifest.path("layers")) {
            String digest = l.path("digest").asText();
            Path file = blobPath(dir, digest);
            if (!digest.equals(digestOf(file))) throw new IOException("blob " + digest + " does not match its digest; refusing the image");
            addLayer(digest, file);
            layers.add(digest);
            size += Files.size(file);
        }
        ImageConfig config = config(blob(dir, manifest.path("config").path("digest").asText()));
        return new Image(name, layers, config, size, Instant.now());
    }

    private JsonNode blob(Path dir, String digest) throws IOException {
        return Json.mapper().readTree(blobPath(dir, digest).toFile());
    }

    private static Path blobPath(Path dir, String digest) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) throw new IOException("\"" + digest + "\" is not a sha256 digest");
        Path p = dir.resolve("blobs").resolve("sha256").resolve(digest.substring(7));
        if (!Files.exists(p)) throw new IOException("the image layout lacks blob " + digest);
        return p;
    }

    private static ImageConfig config(JsonNode json) {
        JsonNode c = json.path("config");
        if (c.isMissingNode()) c = json.path("Config");
        return new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
                c.path("WorkingDir").asText(null), c.path("User").asText(null));
    }

    private static List<String> strings(JsonNode n) {
        var out = new ArrayList<String>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Unpacks a layer once: a second image with the same layer shares the dir. */
    private void addLayer(String digest, Path file) throws IOException {
        Path target = layerDir(digest);
        if (Files.isDirectory(target)) return;
        Path tmp = Files.createTempDirectory(root.resolve("tmp"), "layer-");
        try {
            try (InputStream in = decompress(new BufferedInputStream(Files.newInputStream(file)))) {
                LayerUnpacker.unpack(in, tmp);
            }
            Files.setAttribute(tmp, "unix:mode", 0755);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isDirectory(target)) throw raced;
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static InputStream decompress(BufferedInputStream in) throws IOException {
        in.mark(4);
        int b0 = in.read(), b1 = in.read(), b2 = in.read(), b3 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new GzipCompressorInputStream(in);
        if (b0 == 0x28 && b1 == 0xb5 && b2 == 0x2f && b3 == 0xfd) return new ZstdCompressorInputStream(in);
        return in;
    }

    private static void extract(InputStream in, Path dir) throws IOException {
        try (var tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = LayerUnpacker.inside(dir, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static String digestOf(Path file) throws IOException {
        try (var in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return "sha256:" + HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Image> index() throws IOException {
        Path file = root.resolve("images.json");
        if (!Files.exists(file)) return new TreeMap<>();
        return new TreeMap<>(Json.mapper().readValue(file.toFile(), new TypeReference<Map<String, Image>>() { }));
    }

    private interface IndexChange {
        void apply(Map<String, Image> index) throws IOException;
    }

    /**
     * A file lock keeps other processes out, but not this process's other threads (a second lock of
     * one file from one JVM throws OverlappingFileLockException): they take turns on a lock per store.
     */
    private void updateIndex(IndexChange change) throws IOException {
        var inProcess = INDEX_LOCKS.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new java.util.concurrent.locks.ReentrantLock());
        inProcess.lock();
        try (FileChannel lock = FileChannel.open(root.resolve("images.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var held = lock.lock()) {
            var idx = index();
            change.apply(idx);
            Path tmp = root.resolve("images.json.tmp");
            Files.writeString(tmp, Json.writePretty(idx));
            Files.move(tmp, root.resolve("images.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            inProcess.unlock();
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock> INDEX_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
