package io.magpie.protocol.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC keys of access tokens: one signing key and every key still accepted for verification, each
 * under a key id that the token carries, so an operator rotates the secret by adding a new key, making
 * it the signing key once every role knows it, and dropping the old one after the token lifetime.
 * Immutable; keeps its own copies of the key bytes.
 */
public final class TokenKeys {

    /** The id of the key given as the single {@code auth.token-secret}. */
    public static final String DEFAULT_KEY_ID = "default";
    /** Shortest key accepted, in bytes (the HMAC-SHA256 block of security). */
    public static final int MIN_KEY_BYTES = 32;

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String ALGORITHM = "HmacSHA256";

    private final String signingKeyId;
    private final Map<String, SecretKeySpec> keys;

    /**
     * @param signingKeyId the id of the key new tokens are signed with; must be one of {@code keys}
     * @param keys         key id -> key bytes (at least 32 each); ids are 1-32 characters of {@code [A-Za-z0-9_-]}
     */
    public TokenKeys(String signingKeyId, Map<String, byte[]> keys) {
        Objects.requireNonNull(keys, "keys");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one token key is required; set auth.token-secret");
        }
        Map<String, SecretKeySpec> copy = new LinkedHashMap<>();
        keys.forEach((id, secret) -> {
            if (id == null || !KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("token key id must be 1-32 characters of [A-Za-z0-9_-], got '"
                        + id + "'");
            }
            if (secret == null || secret.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("token secret '" + id + "' must be at least " + MIN_KEY_BYTES
                        + " bytes, got " + (secret == null ? 0 : secret.length) + "; set a longer "
                        + (DEFAULT_KEY_ID.equals(id) ? "auth.token-secret" : "auth.token-secrets." + id));
            }
            copy.put(id, new SecretKeySpec(secret.clone(), ALGORITHM));
        });
        if (!copy.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("the signing key id '" + signingKeyId
                    + "' (auth.token-signing-key) is not one of the configured keys " + copy.keySet());
        }
        this.signingKeyId = signingKeyId;
        this.keys = Collections.unmodifiableMap(copy);
    }

    /** One key under {@link #DEFAULT_KEY_ID}, signing and verifying: the single {@code auth.token-secret}. */
    public static TokenKeys single(byte[] secret) {
        Map<String, byte[]> one = new LinkedHashMap<>();
        one.put(DEFAULT_KEY_ID, secret);
        return new TokenKeys(DEFAULT_KEY_ID, one);
    }

    public static boolean validKeyId(String id) {
        return id != null && KEY_ID.matcher(id).matches();
    }

    public String signingKeyId() {
        return signingKeyId;
    }

    /** The ids of every key accepted for verification, in configuration order. */
    public java.util.Set<String> keyIds() {
        return keys.keySet();
    }

    SecretKeySpec signingKey() {
        return keys.get(signingKeyId);
    }

    /** The key of {@code id}, or null. */
    SecretKeySpec key(String id) {
        return keys.get(id);
    }

    @Override
    public String toString() {
        // never print a secret
        return "TokenKeys[signing=" + signingKeyId + ", accepted=" + keys.keySet() + "]";
    }
}
