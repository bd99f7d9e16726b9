package io.magpie.logic.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow salted password hashes with the JDK's PBKDF2WithHmacSHA256: a 16-byte random salt, a 256-bit
 * derived key, stored as {@code pbkdf2-sha256$<iterations>$<b64 salt>$<b64 hash>}. The iteration
 * count is part of the stored value, so raising it later keeps old hashes verifiable and
 * {@link #needsRehash(String)} tells when a successful login should store a stronger one.
 * Thread-safe.
 */
public final class PasswordHasher {

    public static final String SCHEME = "pbkdf2-sha256";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int KEY_BITS = 256;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final int iterations;
    private final SecureRandom random;

    /** @param iterations PBKDF2 rounds for new hashes (OWASP asks 210,000 for HMAC-SHA256) */
    public PasswordHasher(int iterations, SecureRandom random) {
        if (iterations < 1) {
            throw new IllegalArgumentException("PBKDF2 iterations must be positive, got " + iterations);
        }
        this.iterations = iterations;
        this.random = random;
    }

    public int iterations() {
        return iterations;
    }

    /** A new stored form of {@code password} with a fresh salt. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] key = derive(password, salt, iterations);
        return SCHEME + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(key);
    }

    /**
     * True when {@code password} matches {@code stored}; the comparison takes the same time
     * wherever the first differing byte is.
     *
     * @throws IllegalArgumentException when {@code stored} is not a hash this class wrote (a corrupt
     *                                  row, not a wrong password)
     */
    public boolean verify(String password, String stored) {
        Parsed p = parse(stored);
        byte[] actual = derive(password, p.salt, p.iterations);
        return MessageDigest.isEqual(actual, p.key);
    }

    /** True when {@code stored} was made with fewer iterations than this hasher uses now. */
    public boolean needsRehash(String stored) {
        return parse(stored).iterations < iterations;
    }

    private static Parsed parse(String stored) {
        if (stored == null) {
            throw new IllegalArgumentException("stored password hash is missing");
        }
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("stored password hash is not of the form "
                    + SCHEME + "$<iterations>$<salt>$<hash>");
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < 1) {
                throw new IllegalArgumentException("stored password hash has " + iterations + " iterations");
            }
            byte[] salt = B64D.decode(parts[2]);
            byte[] key = B64D.decode(parts[3]);
            if (salt.length == 0 || key.length == 0) {
                throw new IllegalArgumentException("stored password hash has an empty salt or key");
            }
            return new Parsed(iterations, salt, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stored password hash is malformed: " + e.getMessage(), e);
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, KEY_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is unavailable in this JVM", e);
        } finally {
            ((PBEKeySpec) spec).clearPassword();
        }
    }

    private record Parsed(int iterations, byte[] salt, byte[] key) {
    }
}
