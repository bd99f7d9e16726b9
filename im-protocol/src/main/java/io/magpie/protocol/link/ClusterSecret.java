package io.magpie.protocol.link;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key routers and gates share to authenticate the internal link ({@code cluster.secret}): at
 * least {@value #MIN_BYTES} bytes, and never the token secret, so a leaked token key does not open the
 * push port and the reverse. Immutable; {@link #toString()} never shows the key.
 */
public final class ClusterSecret {

    /** Shortest accepted key: 256 bits, the HMAC-SHA256 block strength. */
    public static final int MIN_BYTES = 32;

    private final byte[] key;

    private ClusterSecret(byte[] key) {
        this.key = key;
    }

    /**
     * @param key the secret's bytes (the UTF-8 of the configured string)
     * @throws IllegalArgumentException if shorter than {@value #MIN_BYTES} bytes
     */
    public static ClusterSecret of(byte[] key) {
        if (key == null || key.length < MIN_BYTES) {
            throw new IllegalArgumentException("cluster.secret must be at least " + MIN_BYTES + " bytes, got "
                    + (key == null ? "nothing" : key.length + " bytes")
                    + "; set the same long random value on every gate and router");
        }
        return new ClusterSecret(key.clone());
    }

    /** The UTF-8 bytes of {@code value}; see {@link #of(byte[])}. */
    public static ClusterSecret of(String value) {
        return of(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A fresh random secret that no other process knows: the default of a gate or router built in
     * code without one, so an unconfigured internal port accepts nobody rather than everybody.
     */
    public static ClusterSecret random() {
        byte[] key = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(key);
        return new ClusterSecret(Base64.getUrlEncoder().withoutPadding().encodeToString(key)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether {@code other} (e.g. the token secret) is the same key; compared in constant time. */
    public boolean sameKeyAs(byte[] other) {
        return other != null && MessageDigest.isEqual(key, other);
    }

    /** A copy of the key bytes, for the HMAC. */
    byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSecret other && MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return key.length;
    }

    @Override
    public String toString() {
        return "ClusterSecret[" + key.length + " bytes, hidden]";
    }
}
