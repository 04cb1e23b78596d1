package dev.berth.model.config;

import dev.berth.model.spec.FieldError;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Settings that cannot be used, with every problem and the key it is at. */
public final class SettingsException extends Exception {
    private final List<FieldError> errors;

    public SettingsException(Path file, List<FieldError> errors) {
        super((file == null ? "settings" : file.toString()) + " has " + errors.size() + (errors.size() == 1 ? " problem" : " problems") + ":\n"
                + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
