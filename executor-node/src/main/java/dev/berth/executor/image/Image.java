package dev.berth.executor.image;

import java.time.Instant;
import java.util.List;

/** An image in the node's store: its layers (bottom first) by digest, and its config. */
public record Image(String name, List<String> layers, ImageConfig config, long size, Instant importedAt) {
    public Image {
        layers = List.copyOf(layers);
    }
}
