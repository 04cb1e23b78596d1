package dev.berth.executor.image.registry;

import java.util.regex.Pattern;

/**
 * An image reference as Docker reads it: {@code busybox:1.36} is {@code docker.io/library/busybox:1.36},
 * {@code registry.example:5000/team/app@sha256:…} names a registry (it has a dot or a port, or is
 * {@code localhost}), a repository, and a tag or digest.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern REPO = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public static ImageRef parse(String ref) {
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) throw new IllegalArgumentException("\"" + ref + "\": the digest is not sha256:<64 hex>");
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new IllegalArgumentException("\"" + ref + "\": \"" + tag + "\" is not a tag");
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) rest = "library/" + rest;
        if (!REPO.matcher(rest).matches()) throw new IllegalArgumentException("\"" + ref + "\" is not an image reference (lower-case repository)");
        if (tag == null && digest == null) tag = "latest";
        return new ImageRef(registry, rest, tag, digest);
    }

    /** What the manifest request asks for: the digest when there is one, else the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /** The name the node's store knows the image by: {@code busybox:1.36}, {@code host:5000/team/app:1}, {@code app@sha256:…}. */
    public String storeName() {
        String repo = registry.equals(DOCKER_HUB) && repository.startsWith("library/") ? repository.substring(8) : repository;
        String base = registry.equals(DOCKER_HUB) ? repo : registry + "/" + repo;
        return base + (digest != null ? "@" + digest : ":" + tag);
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
