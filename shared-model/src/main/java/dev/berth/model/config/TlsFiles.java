package dev.berth.model.config;

import dev.berth.model.spec.FieldError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The three PEM files a component speaks TLS with: the cluster's CA (the only one it trusts), its
 * own certificate and that certificate's key, as {@code berth tls} writes them.
 */
public record TlsFiles(Path ca, Path cert, Path key) {
    /** The files, or null when none of the three is given (TLS off). Check {@link #problems} first. */
    public static TlsFiles of(Path ca, Path cert, Path key) {
        return ca == null && cert == null && key == null ? null : new TlsFiles(ca, cert, key);
    }

    /** What is wrong with these settings, keyed {@code tlsCa}, {@code tlsCert}, {@code tlsKey}: all three or none, each a readable file. */
    public static List<FieldError> problems(Path ca, Path cert, Path key) {
        var errors = new ArrayList<FieldError>();
        if (ca == null && cert == null && key == null) return errors;
        file(errors, "tlsCa", ca);
        file(errors, "tlsCert", cert);
        file(errors, "tlsKey", key);
        return errors;
    }

    private static void file(List<FieldError> errors, String key, Path p) {
        if (p == null) {
            errors.add(new FieldError(key, "is needed too: TLS takes --tls-ca, --tls-cert and --tls-key together (berth tls makes them)"));
        } else if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            errors.add(new FieldError(key, p + " is not a readable file"));
        }
    }
}
