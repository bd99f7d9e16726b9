package io.magpie.logic.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refresh tokens: {@code r1.<sessionId>.<43 base64url characters of 256 random bits>}. Opaque to the
 * client; the server keeps only their SHA-256 (a database leak yields no usable token), and the session
 * id in front finds the row without a scan. New session ids come from here too. Thread-safe.
 */
public final class RefreshTokens {

    private static final Pattern FORMAT = Pattern.compile("r1\\.([1-9][0-9]{0,18})\\.([A-Za-z0-9_-]{43})");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random;

    public RefreshTokens(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A new random session id, positive. */
    public long newSessionId() {
        long id;
        do {
            id = random.nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    /** A new refresh token of session {@code sessionId}. */
    public String issue(long sessionId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return "r1." + sessionId + "." + B64.encodeToString(secret);
    }

    /** The session id a well-formed refresh token names, or empty when it is not one of ours. */
    public static OptionalLong sessionId(String token) {
        if (token == null || token.length() > 80) {
            return OptionalLong.empty();
        }
        Matcher m = FORMAT.matcher(token);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // 19 digits above Long.MAX_VALUE
        }
    }

    /** SHA-256 of the token, as stored. */
    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
        }
    }
}
