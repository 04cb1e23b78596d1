package dev.berth.model.image;

import java.util.regex.Pattern;

/**
 * The one image-reference grammar, used by the API (a task's {@code image}) and by the node (its
 * store's names, its registry client). As Docker reads it: {@code busybox:1.36} is {@code docker.io/library/busybox:1.36},
 * {@code registry.example:5000/team/app@sha256:…} names a registry (it has a dot or a port, or is
 * {@code localhost}), a repository, and a tag or digest.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern REPO = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9a-fA-F:]+])(?::[0-9]{1,5})?");

    /** @throws IllegalArgumentException saying what is wrong, for a message at the spec's path */
    public static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank()) throw new IllegalArgumentException("an image reference must not be empty");
        if (ref.length() > 512) throw new IllegalArgumentException("an image reference is at most 512 characters");
        for (String part : ref.split("/", -1)) {
            if (part.equals(".") || part.equals("..") || part.isEmpty()) {
                throw new IllegalArgumentException("\"" + ref + "\" is not an image reference: it has an empty, . or .. part (a path is not an image name)");
            }
        }
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
                if (!REGISTRY.matcher(first).matches()) throw new IllegalArgumentException("\"" + ref + "\": \"" + first + "\" is not a registry host[:port]");
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
