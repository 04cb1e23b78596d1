package dev.berth.scheduler.placement;

import dev.berth.model.policy.NodePolicy;

import dev.berth.model.spec.Constraint;
import java.util.List;
import java.util.Set;

/** Constraints on node attributes and labels: {@code ${node.labels.zone} = a}, {@code ${node.id} != n3}. */
final class Constraints {
    private Constraints() {
    }

    /** Null when the node meets every constraint, else the first one it misses, in words. */
    static String unmet(List<Constraint> constraints, Candidate node) {
        for (Constraint c : constraints) {
            String value = resolve(c.attribute(), node);
            if (value == null && NodePolicy.metWhenUnset(c)) continue;
            if (holds(c, value)) continue;
            String policy = NodePolicy.explain(c);
            return policy != null ? policy : "constraint " + c.attribute() + " " + c.operator() + (c.value().isEmpty() ? "" : " " + c.value()) + " not met";
        }
        return null;
    }

    static String resolve(String attribute, Candidate node) {
        String a = attribute.startsWith("${") && attribute.endsWith("}") ? attribute.substring(2, attribute.length() - 1) : attribute;
        if (a.equals("node.id")) return node.id();
        if (a.startsWith("node.labels.")) return node.labels().get(a.substring(12));
        if (a.startsWith("attr.")) return node.attributes().get(a.substring(5));
        if (a.startsWith("node.attributes.")) return node.attributes().get(a.substring(16));
        return null;
    }

    private static boolean holds(Constraint c, String value) {
        String want = c.value();
        return switch (c.operator()) {
            case "is_set" -> value != null;
            case "is_not_set" -> value == null;
            case "=" -> want.equals(value);
            case "!=" -> !want.equals(value);
            case "regexp" -> value != null && pattern(want).matcher(value).find();
            case "set_contains" -> value != null && Set.of(value.split("\\s*,\\s*")).containsAll(List.of(want.split("\\s*,\\s*")));
            case "<", "<=", ">", ">=" -> value != null && compare(value, want, c.operator());
            default -> false;
        };
    }

    /**
     * Patterns were checked at submit; compiled once each here, and matched by RE2/J in time linear
     * in the input, so no user's pattern can stall a placement pass.
     */
    private static com.google.re2j.Pattern pattern(String regexp) {
        if (PATTERNS.size() > MAX_PATTERNS) PATTERNS.clear(); // users' patterns come and go with their jobs
        return PATTERNS.computeIfAbsent(regexp, com.google.re2j.Pattern::compile);
    }

    private static final int MAX_PATTERNS = 1024;

    private static final java.util.Map<String, com.google.re2j.Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean compare(String a, String b, String op) {
        int cmp;
        try {
            cmp = Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            cmp = a.compareTo(b);
        }
        return switch (op) {
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case ">" -> cmp > 0;
            default -> cmp >= 0;
        };
    }
}
