package io.magpie.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the account API's login (or refresh) returns and {@link MagpieClient#connect(Credentials)} needs:
 * the uid, the short-lived access token (which carries uid, device, platform and the device session)
 * with its expiry, and the refresh token that gets a new access token without the password
 * ({@link AccountClient#refresh}). A refresh rotates the refresh token: keep the newest one (a
 * {@link MessageListener#onCredentialsRefreshed} tells when the client refreshed on its own), since
 * presenting a replaced one ends the device's session. Immutable.
 *
 * @param refreshToken     null when the server issued none (older servers, tokens minted by tools)
 * @param refreshExpiresAt null with {@code refreshToken}
 */
public record Credentials(long uid, String token, Instant expiresAt, String refreshToken, Instant refreshExpiresAt) {

    public Credentials {
        if (uid <= 0) {
            throw new IllegalArgumentException("uid must be positive, got " + uid);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (refreshToken != null && refreshToken.isBlank()) {
            refreshToken = null;
        }
    }

    /** Credentials without a refresh token. */
    public Credentials(long uid, String token, Instant expiresAt) {
        this(uid, token, expiresAt, null, null);
    }

    /** True once the token's expiry has passed by {@code clock}; a gate will refuse it then. */
    public boolean expired(Clock clock) {
        return !clock.instant().isBefore(expiresAt);
    }

    /** True when the access token expires within {@code margin} (or already did). */
    public boolean expiresWithin(Clock clock, Duration margin) {
        return !clock.instant().plus(margin).isBefore(expiresAt);
    }

    /** True when a refresh token is held and has not expired by {@code clock}. */
    public boolean refreshable(Clock clock) {
        return refreshToken != null && (refreshExpiresAt == null || clock.instant().isBefore(refreshExpiresAt));
    }

    @Override
    public String toString() {
        // never log tokens
        return "Credentials[uid=" + uid + ", expiresAt=" + expiresAt + ", refreshable until "
                + (refreshToken == null ? "-" : refreshExpiresAt) + "]";
    }
}
