package io.magpie.logic;

import io.magpie.protocol.auth.SampleSecrets;
import io.magpie.protocol.auth.TokenKeys;
import java.time.Duration;

/**
 * Settings of device sessions and the login endpoints of the account API, validated once; a value out
 * of range fails naming its YAML key. Immutable.
 *
 * @param tokenKeys              the access-token keys (key ids, one signing); null = the single
 *                               {@code auth.token-secret} under key id {@code default}
 * @param refreshTtl             lifetime of a refresh token, renewed by each refresh; 1 h-365 days, default 30 days
 * @param loginAttemptsPerAccount login attempts (and password changes) per account and window; 1-100,000,
 *                               default 10
 * @param loginAttemptsPerAddress login attempts per source address and window; 1-1,000,000, default 100
 * @param refreshesPerAddress    refreshes per source address and window; 1-1,000,000, default 1,000
 * @param loginAttemptWindow     the window of those limits; 1 s-1 day, default 5 min
 * @param adminToken             bearer secret of the admin routes ({@code POST /v1/admin/kick}); null = the admin
 *                               routes answer 403; at least 32 characters and not a sample value
 */
public record SessionSettings(TokenKeys tokenKeys, Duration refreshTtl, int loginAttemptsPerAccount,
        int loginAttemptsPerAddress, int refreshesPerAddress, Duration loginAttemptWindow, String adminToken) {

    public static final Duration DEFAULT_REFRESH_TTL = Duration.ofDays(30);
    public static final int DEFAULT_LOGIN_ATTEMPTS_PER_ACCOUNT = 10;
    public static final int DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS = 100;
    public static final int DEFAULT_REFRESHES_PER_ADDRESS = 1_000;
    public static final Duration DEFAULT_LOGIN_ATTEMPT_WINDOW = Duration.ofMinutes(5);

    public SessionSettings {
        if (refreshTtl == null || refreshTtl.compareTo(Duration.ofHours(1)) < 0
                || refreshTtl.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("auth.refresh-ttl must be between 1 h and 365 days, got " + refreshTtl);
        }
        range("auth.login-attempts-per-account", loginAttemptsPerAccount, 1, 100_000);
        range("auth.login-attempts-per-address", loginAttemptsPerAddress, 1, 1_000_000);
        range("auth.refreshes-per-address", refreshesPerAddress, 1, 1_000_000);
        if (loginAttemptWindow == null || loginAttemptWindow.compareTo(Duration.ofSeconds(1)) < 0
                || loginAttemptWindow.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("auth.login-attempt-window must be between 1 s and 1 day, got "
                    + loginAttemptWindow);
        }
        if (adminToken != null) {
            if (adminToken.length() < 32) {
                throw new IllegalArgumentException("logic.admin-token must be at least 32 characters, got "
                        + adminToken.length() + "; generate one, e.g. openssl rand -base64 32");
            }
            String why = SampleSecrets.whyRefused(adminToken);
            if (why != null) {
                throw new IllegalArgumentException("logic.admin-token is refused: " + why
                        + "; generate one, e.g. openssl rand -base64 32");
            }
        }
    }

    /** Every default; the single token secret. */
    public static SessionSettings defaults() {
        return new SessionSettings(null, DEFAULT_REFRESH_TTL, DEFAULT_LOGIN_ATTEMPTS_PER_ACCOUNT,
                DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS, DEFAULT_REFRESHES_PER_ADDRESS, DEFAULT_LOGIN_ATTEMPT_WINDOW, null);
    }

    /** The same settings with other login limits. */
    public SessionSettings withLimits(int perAccount, int perAddress, int refreshes, Duration window) {
        return new SessionSettings(tokenKeys, refreshTtl, perAccount, perAddress, refreshes, window, adminToken);
    }

    public SessionSettings withTokenKeys(TokenKeys keys) {
        return new SessionSettings(keys, refreshTtl, loginAttemptsPerAccount, loginAttemptsPerAddress,
                refreshesPerAddress, loginAttemptWindow, adminToken);
    }

    public SessionSettings withRefreshTtl(Duration ttl) {
        return new SessionSettings(tokenKeys, ttl, loginAttemptsPerAccount, loginAttemptsPerAddress,
                refreshesPerAddress, loginAttemptWindow, adminToken);
    }

    public SessionSettings withAdminToken(String token) {
        return new SessionSettings(tokenKeys, refreshTtl, loginAttemptsPerAccount, loginAttemptsPerAddress,
                refreshesPerAddress, loginAttemptWindow, token);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    @Override
    public String toString() {
        // never print the admin token
        return "SessionSettings[tokenKeys=" + tokenKeys + ", refreshTtl=" + refreshTtl + ", loginAttempts="
                + loginAttemptsPerAccount + "/account " + loginAttemptsPerAddress + "/address " + refreshesPerAddress
                + " refreshes/address per " + loginAttemptWindow + ", admin=" + (adminToken == null ? "off" : "on") + "]";
    }
}
