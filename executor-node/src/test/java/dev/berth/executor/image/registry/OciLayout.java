package dev.berth.executor.image.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;

import dev.berth.model.codec.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes OCI image layouts for tests: layers from tar bytes (gzip or zstd), a config, manifests, an index. */
final class OciLayout {
    final Path dir;
    private final ArrayNode index;
    private final ObjectNode indexRoot;

    OciLayout(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
        indexRoot = Json.mapper().createObjectNode().put("schemaVersion", 2);
        index = indexRoot.putArray("manifests");
    }

    /** A layer: its compressed bytes, their digest and media type, and the uncompressed tar's digest. */
    record Layer(String mediaType, String digest, long size, String diffId) {
    }

    /** A tar of {@code files} (path → content; content null: a dir). */
    static byte[] tar(Map<String, String> files) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(bytes)) {
            for (var e : files.entrySet()) {
                boolean dir = e.getValue() == null;
                var entry = new TarArchiveEntry(e.getKey(), TarArchiveEntry.LF_NORMAL, true); // keep names as given, ../ included
                if (dir) {
                    entry = new TarArchiveEntry(e.getKey().endsWith("/") ? e.getKey() : e.getKey() + "/", true);
                    entry.setMode(040755);
                } else {
                    entry.setMode(0100644);
                    entry.setSize(e.getValue().getBytes(StandardCharsets.UTF_8).length);
                }
                tar.putArchiveEntry(entry);
                if (!dir) tar.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static Map<String, String> files(String... pathsAndContents) {
        var out = new LinkedHashMap<String, String>();
        for (int i = 0; i < pathsAndContents.length; i += 2) out.put(pathsAndContents[i], pathsAndContents[i + 1]);
        return out;
    }

    Layer layer(byte[] tar, boolean zstd) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream c = zstd ? new ZstdOutputStream(out) : new GZIPOutputStream(out)) {
            c.write(tar);
        }
        byte[] blob = out.toByteArray();
        String digest = write(blob);
        return new Layer(zstd ? "application/vnd.oci.image.layer.v1.tar+zstd" : "application/vnd.oci.image.layer.v1.tar+gzip",
                digest, blob.length, sha256(tar));
    }

    /** An image manifest over {@code layers} (bottom first) with a config running {@code cmd}; returns its descriptor. */
    ObjectNode image(List<Layer> layers, String arch, List<String> cmd) throws IOException {
        var config = Json.mapper().createObjectNode().put("architecture", arch).put("os", "linux");
        var c = config.putObject("config");
        c.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        var cmdArray = c.putArray("Cmd");
        cmd.forEach(cmdArray::add);
        var rootfs = config.putObject("rootfs").put("type", "layers");
        var diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.diffId()));
        byte[] configBytes = Json.write(config).getBytes(StandardCharsets.UTF_8);
        String configDigest = write(configBytes);
        var manifest = Json.mapper().createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", configDigest).put("size", configBytes.length);
        var ls = manifest.putArray("layers");
        layers.forEach(l -> ls.addObject().put("mediaType", l.mediaType()).put("digest", l.digest()).put("size", l.size()));
        byte[] m = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        var desc = Json.mapper().createObjectNode().put("mediaType", "application/vnd.oci.image.manifest.v1+json").put("digest", write(m)).put("size", m.length);
        desc.putObject("platform").put("architecture", arch).put("os", "linux");
        return desc;
    }

    /** Names a manifest (or index) descriptor in index.json as {@code tag}. */
    void tag(ObjectNode descriptor, String tag) throws IOException {
        var d = descriptor.deepCopy();
        d.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        index.add(d);
        Files.writeString(dir.resolve("index.json"), Json.write(indexRoot));
    }

    /** An image index over several manifests' descriptors. */
    ObjectNode indexOf(List<ObjectNode> manifests) throws IOException {
        var idx = Json.mapper().createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        var ms = idx.putArray("manifests");
        manifests.forEach(ms::add);
        byte[] b = Json.write(idx).getBytes(StandardCharsets.UTF_8);
        return Json.mapper().createObjectNode().put("mediaType", "application/vnd.oci.image.index.v1+json").put("digest", write(b)).put("size", b.length);
    }

    private String write(byte[] blob) throws IOException {
        String digest = sha256(blob);
        Files.write(dir.resolve("blobs/sha256").resolve(digest.substring(7)), blob);
        return digest;
    }

    static String sha256(byte[] b) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
