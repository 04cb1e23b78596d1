package dev.berth.model.units;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A size in bytes with human units: {@code "128Mi"} (binary), {@code "1G"} (decimal), {@code "512"}.
 * Both Kubernetes' spelling ({@code Mi}) and Docker's ({@code MiB}, {@code MB}) are read.
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1_000L), Map.entry("kb", 1_000L),
            Map.entry("m", 1_000_000L), Map.entry("mb", 1_000_000L),
            Map.entry("g", 1_000_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("t", 1_000_000_000_000L), Map.entry("tb", 1_000_000_000_000L),
            Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("mi", 1L << 20), Map.entry("mib", 1L << 20),
            Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30),
            Map.entry("ti", 1L << 40), Map.entry("tib", 1L << 40));
    private static final String[] BINARY = {"Ti", "Gi", "Mi", "Ki"};
    private static final String[] DECIMAL = {"T", "G", "M", "K"};

    public static final ByteSize ZERO = new ByteSize(0);

    public ByteSize {
        if (bytes < 0) throw new IllegalArgumentException("size must not be negative: " + bytes);
    }

    public static ByteSize ofBytes(long bytes) {
        return new ByteSize(bytes);
    }

    public static ByteSize mebibytes(long n) {
        return new ByteSize(Math.multiplyExact(n, 1L << 20));
    }

    @JsonCreator
    public static ByteSize parse(String text) {
        var m = text == null ? null : FORM.matcher(text.trim());
        Long unit = m != null && m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) throw new IllegalArgumentException(Cpu.quote(text) + " is not a size (use \"128Mi\", \"1G\" or a number of bytes)");
        var value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (value.stripTrailingZeros().scale() > 0) throw new IllegalArgumentException(Cpu.quote(text) + " is not a whole number of bytes");
        try {
            return new ByteSize(value.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(Cpu.quote(text) + " is too large");
        }
    }

    public ByteSize plus(ByteSize other) {
        return new ByteSize(Math.addExact(bytes, other.bytes));
    }

    public ByteSize minus(ByteSize other) {
        return new ByteSize(Math.max(0, bytes - other.bytes));
    }

    public ByteSize times(long n) {
        return new ByteSize(Math.multiplyExact(bytes, n));
    }

    @Override
    public int compareTo(ByteSize o) {
        return Long.compare(bytes, o.bytes);
    }

    /** For people, not for parsing back exactly: {@code "23.5Gi"}, {@code "512Mi"}, {@code "900"}. */
    public String human() {
        String[] units = {"", "Ki", "Mi", "Gi", "Ti"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String n = v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
        return n + units[u];
    }

    /** The largest unit that divides exactly, binary first: 134217728 prints as {@code "128Mi"}. */
    @JsonValue
    @Override
    public String toString() {
        if (bytes == 0) return "0";
        for (int i = 0; i < BINARY.length; i++) {
            long unit = 1L << (10 * (BINARY.length - i));
            if (bytes % unit == 0) return bytes / unit + BINARY[i];
        }
        for (int i = 0; i < DECIMAL.length; i++) {
            long unit = (long) Math.pow(1000, DECIMAL.length - i);
            if (bytes % unit == 0) return bytes / unit + DECIMAL[i];
        }
        return Long.toString(bytes);
    }
}
