package dev.berth.scheduler.acl;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.berth.model.codec.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's tokens, in the Hazelcast map {@code berth.acl.tokens} keyed by accessor id (and so
 * in every member's journal, which holds only hashes). Every member keeps all of them in memory,
 * by hash, current through an entry listener: a request is checked on the event loop without a
 * round trip, and an unknown token costs nothing to refuse.
 *
 * <p>Why plain SHA-256 and no salt or slow hash: a secret is 256 random bits, not a password; no
 * dictionary reaches it, and a lookup by hash must be cheap.
 */
public final class Tokens implements AutoCloseable {
    public static final String MAP = "berth.acl.tokens";
    /** Holds one key once the cluster is bootstrapped; a second bootstrap finds it and is refused. */
    public static final String BOOTSTRAP_MAP = "berth.acl.bootstrap";
    private static final String PREFIX = "berth_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final IMap<String, HazelcastJsonValue> map;
    private final IMap<String, HazelcastJsonValue> bootstrap;
    private final Clock clock;
    private final Map<String, Token> byHash = new ConcurrentHashMap<>();
    private final UUID listener;

    public Tokens(HazelcastInstance hz, Clock clock) {
        this.map = hz.getMap(MAP);
        this.bootstrap = hz.getMap(BOOTSTRAP_MAP);
        this.clock = clock;
        // listen first, then load: a token made in between is seen by one or the other
        this.listener = map.addEntryListener(new Listener(), true);
        map.values().forEach(v -> remember(read(v)));
    }

    /** The token this secret is, if it is one and not revoked. Never blocks. */
    public Optional<Token> find(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) return Optional.empty();
        return Optional.ofNullable(byHash.get(hash(secret))).filter(Token::valid);
    }

    /** The first token, with the admin policy: once per cluster; afterwards empty. Blocking. */
    public Optional<Token.Issued> bootstrap() {
        var issued = issue("bootstrap", Policy.ADMIN);
        var marker = new HazelcastJsonValue(Json.write(Map.of("accessor", issued.token().accessor(), "at", clock.instant().toString())));
        if (bootstrap.putIfAbsent("done", marker) != null) return Optional.empty();
        store(issued.token());
        return Optional.of(issued);
    }

    public boolean bootstrapped() {
        return bootstrap.containsKey("done");
    }

    /** A new token. Blocking. */
    public Token.Issued create(String name, Policy policy) {
        var issued = issue(name, policy);
        store(issued.token());
        return issued;
    }

    /** Every token not revoked, oldest first. */
    public List<Token> list() {
        return byHash.values().stream().filter(Token::valid).sorted(Comparator.comparing(Token::createdAt)).toList();
    }

    /** Revokes the token with this accessor id; empty when there is none (or it was revoked). Blocking. */
    public Optional<Token> revoke(String accessor) {
        map.lock(accessor);
        try {
            var current = Optional.ofNullable(map.get(accessor)).map(Tokens::read).filter(Token::valid);
            current.ifPresent(t -> store(t.revoked(clock.instant())));
            return current;
        } finally {
            map.unlock(accessor);
        }
    }

    private Token.Issued issue(String name, Policy policy) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String accessor = HexFormat.of().formatHex(id);
        return new Token.Issued(new Token(accessor, name, policy, hash(secret), clock.instant(), null), secret);
    }

    private void store(Token t) {
        map.set(t.accessor(), new HazelcastJsonValue(Json.write(t)));
        remember(t); // this member knows at once; the others through the listener
    }

    private void remember(Token t) {
        byHash.put(t.secretHash(), t);
    }

    private static Token read(HazelcastJsonValue v) {
        return Json.read(v.getValue(), Token.class);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public void close() {
        map.removeEntryListener(listener);
    }

    private final class Listener implements EntryAddedListener<String, HazelcastJsonValue>, EntryUpdatedListener<String, HazelcastJsonValue>,
            EntryRemovedListener<String, HazelcastJsonValue> {
        @Override
        public void entryAdded(EntryEvent<String, HazelcastJsonValue> e) {
            remember(read(e.getValue()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, HazelcastJsonValue> e) {
            remember(read(e.getValue()));
        }

        @Override
        public void entryRemoved(EntryEvent<String, HazelcastJsonValue> e) {
            byHash.values().removeIf(t -> t.accessor().equals(e.getKey()));
        }
    }
}
