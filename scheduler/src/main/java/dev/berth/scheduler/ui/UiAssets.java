package dev.berth.scheduler.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI's files, read from the classpath (module {@code ui-web} and the uPlot WebJar) and kept
 * in memory: a few hundred KiB in all. Served from memory rather than through Vert.x's
 * StaticHandler, which copies classpath files into a cache directory on disk that outlives the
 * process. A path maps to a file only when every segment is a plain name, so no request reaches
 * beyond the UI's folders.
 */
public final class UiAssets {
    /** One file: its bytes, media type and a strong ETag. */
    public record Asset(byte[] bytes, String contentType, String etag) {
    }

    static final String PAGES = "berth-ui/";
    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json");

    private final ClassLoader loader;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    public UiAssets(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * The file for a path below {@code /ui/}: {@code vendor/uplot/…} is the WebJar's {@code dist},
     * anything else a file of {@code ui-web}. Empty for a path that names no file.
     */
    public Optional<Asset> find(String path) {
        if (!safe(path)) return Optional.empty();
        String resource = path.startsWith("vendor/uplot/") ? UPLOT + path.substring("vendor/uplot/".length()) : PAGES + path;
        return cache.computeIfAbsent(resource, this::load);
    }

    /** The page every route of the single-page UI answers with. */
    public Asset shell() {
        return find("index.html").orElseThrow(() -> new IllegalStateException("the web UI's index.html is not on the classpath (module ui-web)"));
    }

    static boolean safe(String path) {
        if (path.isEmpty() || path.length() > 200) return false;
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.contains("..")) return false;
        }
        return type(path) != null;
    }

    private static String type(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(path.substring(dot + 1));
    }

    private Optional<Asset> load(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) return Optional.empty();
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, type(resource), "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
