package dev.berth.scheduler.state;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Short random ids: long enough never to clash in one cluster, short enough to type. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String random(int bytes) {
        var b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String job(String name) {
        return name.toLowerCase(java.util.Locale.ROOT) + "-" + random(4);
    }

    public static String allocation() {
        return random(6);
    }

    public static String evaluation() {
        return random(6);
    }
}
