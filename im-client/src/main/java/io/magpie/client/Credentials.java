package io.magpie.client;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * What the account API's login returns and {@link MagpieClient#connect(Credentials)} needs: the uid and
 * the signed token (which carries uid, device and platform) with its expiry. Immutable.
 */
public record Credentials(long uid, String token, Instant expiresAt) {

    public Credentials {
        if (uid <= 0) {
            throw new IllegalArgumentException("uid must be positive, got " + uid);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** True once the token's expiry has passed by {@code clock}; a gate will refuse it then. */
    public boolean expired(Clock clock) {
        return !clock.instant().isBefore(expiresAt);
    }

    @Override
    public String toString() {
        // never log tokens
        return "Credentials[uid=" + uid + ", expiresAt=" + expiresAt + "]";
    }
}
