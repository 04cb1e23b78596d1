package dev.berth.scheduler.acl;

import java.time.Instant;

/**
 * A token as it is stored: the SHA-256 of its secret, never the secret. The accessor id names the
 * token in lists, the audit log and revocations without letting anyone use it. A revoked token
 * keeps its record ({@code revokedAt}) so that no member's older journal can bring it back.
 */
public record Token(String accessor, String name, Policy policy, String secretHash, Instant createdAt, Instant revokedAt) {
    public boolean valid() {
        return revokedAt == null;
    }

    public Token revoked(Instant at) {
        return new Token(accessor, name, policy, secretHash, createdAt, at);
    }

    /** A made token with its secret, shown once to whoever made it. */
    public record Issued(Token token, String secret) {
    }
}
