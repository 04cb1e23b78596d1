package dev.berth.model.units;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/** A CPU share in millicores: {@code "250m"} is a quarter of a core, {@code "2"} or {@code 2} two cores. */
public record Cpu(long millicores) implements Comparable<Cpu> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(m?)");

    public static final Cpu ZERO = new Cpu(0);

    public Cpu {
        if (millicores < 0) throw new IllegalArgumentException("cpu must not be negative: " + millicores);
    }

    public static Cpu ofMillis(long millicores) {
        return new Cpu(millicores);
    }

    public static Cpu cores(long cores) {
        return new Cpu(Math.multiplyExact(cores, 1000));
    }

    /** Parses {@code "250m"}, {@code "2"}, {@code "0.5"}; throws with a message fit for a user. */
    @JsonCreator
    public static Cpu parse(String text) {
        var m = text == null ? null : FORM.matcher(text.trim());
        if (m == null || !m.matches()) throw new IllegalArgumentException(quote(text) + " is not a cpu amount (use \"250m\" or \"2\")");
        var number = new BigDecimal(m.group(1));
        var millis = m.group(2).isEmpty() ? number.movePointRight(3) : number;
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(quote(text) + " is finer than a millicore");
        }
        try {
            return new Cpu(millis.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is too large");
        }
    }

    public Cpu plus(Cpu other) {
        return new Cpu(Math.addExact(millicores, other.millicores));
    }

    public Cpu minus(Cpu other) {
        return new Cpu(Math.max(0, millicores - other.millicores));
    }

    public Cpu times(long n) {
        return new Cpu(Math.multiplyExact(millicores, n));
    }

    @Override
    public int compareTo(Cpu o) {
        return Long.compare(millicores, o.millicores);
    }

    /** Whole cores print as {@code "2"}, the rest as {@code "250m"}. */
    @JsonValue
    @Override
    public String toString() {
        return millicores % 1000 == 0 ? Long.toString(millicores / 1000) : millicores + "m";
    }

    static String quote(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }
}
