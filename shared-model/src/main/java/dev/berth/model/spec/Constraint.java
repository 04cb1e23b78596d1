package dev.berth.model.spec;

/** A rule on a node attribute or label, such as {@code ${node.labels.zone} = a}. */
public record Constraint(String attribute, String operator, String value) {
    public static final java.util.Set<String> OPERATORS = java.util.Set.of("=", "!=", "<", "<=", ">", ">=", "regexp", "set_contains", "is_set", "is_not_set");
}
