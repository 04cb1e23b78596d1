package dev.berth.model.spec;

/** One problem in a submitted document, at a path such as {@code groups[0].tasks[1].resources.memory}. */
public record FieldError(String path, String message) {
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
