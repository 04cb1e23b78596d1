package dev.berth.model.units;

import java.time.Duration;
import java.util.regex.Pattern;

/** Durations as people write them: {@code "10s"}, {@code "500ms"}, {@code "1h30m"}, {@code "2d"}. */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("(\\d+(?:\\.\\d+)?(ms|us|ns|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|ns|s|m|h|d)");

    private Durations() {
    }

    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("0")) return Duration.ZERO;
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException(Cpu.quote(text) + " is not a duration (use \"10s\", \"500ms\", \"1h30m\")");
        }
        double nanos = 0;
        var m = PART.matcher(t);
        while (m.find()) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> 86400e9;
            };
        }
        if (nanos > Long.MAX_VALUE) throw new IllegalArgumentException(Cpu.quote(text) + " is too long");
        return Duration.ofNanos(Math.round(nanos));
    }

    /** The shortest exact spelling: {@code 90s} prints as {@code "1m30s"}, 1.5 s as {@code "1500ms"}. */
    public static String format(Duration d) {
        if (d.isZero()) return "0s";
        long nanos = d.toNanos();
        if (nanos % 1_000_000_000L != 0) {
            return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : nanos + "ns";
        }
        long s = d.getSeconds();
        var out = new StringBuilder();
        long[] sizes = {86400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i]) {
                out.append(s / sizes[i]).append(names[i]);
                s %= sizes[i];
            }
        }
        return out.toString();
    }
}
