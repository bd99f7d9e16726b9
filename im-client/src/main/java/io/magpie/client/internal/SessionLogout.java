package io.magpie.client.internal;

import io.magpie.client.Credentials;
import io.magpie.client.MagpieApiException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a device out on both paths (docs/PROTOCOL.md §9.6): stops the {@link ConnectionSupervisor} at once
 * (no reconnect; the kick the logout causes is expected), revokes the session on the account API
 * ({@code DELETE /v1/sessions/current}), and only then sends LOGOUT on the connection that was logged in and
 * closes it. The HTTP call goes first because a gate LOGOUT already ends the session, after which the API
 * refuses the same access token (401) and the client could no longer tell "revoked" from "refused".
 *
 * <p>An access token that expired (or expires within {@link ConnectionSupervisor#REFRESH_MARGIN}) is
 * refreshed with the refresh token first, and a 401 is answered by one refresh and a second try: a client
 * connected for hours holds an expired access token. A refresh refused for good (4xx but 429) means the
 * session had already ended (logged out, kicked, replaced), which is what a logout wants; so does a 401 when
 * no refresh token is left.
 *
 * <p>The future completes normally once the server ended the session (or it had ended before). It fails
 * with a {@link MagpieApiException} (status and code of the failed call; retryable for status 0, 429 and
 * 5xx) when the account API could not revoke it: the gate was still sent LOGOUT, but the refresh token may
 * keep working until it expires, so call again later. Either way the supervisor stays DISCONNECTED. Failures
 * are logged with uid and device. Thread-safe; stateless apart from its collaborators.
 */
public final class SessionLogout {

    /** The account API calls a logout needs ({@code AccountClient::logoutAsync}, {@code ::refreshAsync}). */
    public interface AccountApi {
        /** {@code DELETE /v1/sessions/current} with the credentials' access token. */
        CompletableFuture<Void> revoke(Credentials credentials);

        /** {@code POST /v1/sessions/refresh} with the credentials' refresh token. */
        CompletableFuture<Credentials> refresh(Credentials credentials);
    }

    private static final Logger log = LoggerFactory.getLogger(SessionLogout.class);
    private static final String CURRENT_SESSION = "DELETE /v1/sessions/current";

    private final AccountApi api;
    private final Clock clock;
    private final String deviceId;

    public SessionLogout(AccountApi api, Clock clock, String deviceId) {
        this.api = Objects.requireNonNull(api, "api");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deviceId = deviceId;
    }

    /** Stops {@code supervisor}, revokes its session over HTTP, then sends LOGOUT (see the class comment). */
    public CompletableFuture<Void> logout(ConnectionSupervisor supervisor) {
        Credentials credentials = supervisor.credentials();
        ClientConnection live = supervisor.stopForLogout();
        String who = who(credentials);
        CompletableFuture<Void> revoked;
        try {
            revoked = revoke(credentials);
        } catch (RuntimeException e) {
            revoked = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        revoked.whenComplete((ok, err) -> {
            CompletableFuture<Void> closed = live == null ? CompletableFuture.completedFuture(null)
                    : live.handler().logout();
            closed.whenComplete((v, ignored) -> {
                String gate = live == null ? "" : "; LOGOUT sent to gate " + live.gate().gateId();
                if (err == null) {
                    if (credentials != null) {
                        log.info("{} logged out: session ended on the account API{}", who, gate);
                    }
                    result.complete(null);
                    return;
                }
                Throwable failure = reported(who, Futures.unwrap(err));
                log.warn("{} logout: the account API did not revoke the session{}; the refresh token may still work",
                        who, gate, failure);
                result.completeExceptionally(failure);
            });
        });
        return result;
    }

    /** Ends the session of {@code credentials} on the account API; null credentials: nothing to do. */
    CompletableFuture<Void> revoke(Credentials credentials) {
        if (credentials == null) {
            return CompletableFuture.completedFuture(null); // never connected: no session of ours to end
        }
        String who = who(credentials);
        if (credentials.expiresWithin(clock, ConnectionSupervisor.REFRESH_MARGIN)) {
            if (credentials.refreshable(clock)) {
                return refreshThenRevoke(who, credentials);
            }
            log.info("{} logout: the access token expired at {} and no usable refresh token is left; nothing the"
                    + " account API could still revoke", who, credentials.expiresAt());
            return CompletableFuture.completedFuture(null);
        }
        return api.revoke(credentials).exceptionallyCompose(err -> {
            Throwable cause = Futures.unwrap(err);
            if (!unauthorized(cause)) {
                return CompletableFuture.failedFuture(cause);
            }
            if (credentials.refreshable(clock)) {
                log.info("{} logout: the access token was refused ({}); refreshing it once", who, cause.getMessage());
                return refreshThenRevoke(who, credentials);
            }
            log.info("{} logout: the access token was refused and no refresh token is held; the session had"
                    + " already ended ({})", who, cause.getMessage());
            return CompletableFuture.completedFuture(null);
        });
    }

    private CompletableFuture<Void> refreshThenRevoke(String who, Credentials credentials) {
        return api.refresh(credentials).handle((fresh, err) -> {
            if (err == null) {
                return api.revoke(fresh).exceptionallyCompose(e -> {
                    Throwable cause = Futures.unwrap(e);
                    if (unauthorized(cause)) {
                        log.info("{} logout: the session ended between refresh and revoke ({})", who,
                                cause.getMessage());
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    return CompletableFuture.failedFuture(cause);
                });
            }
            Throwable cause = Futures.unwrap(err);
            if (refusedForGood(cause)) {
                log.info("{} logout: the refresh token was refused ({}); the session had already ended", who,
                        cause.getMessage());
                return CompletableFuture.<Void>completedFuture(null);
            }
            return CompletableFuture.<Void>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private static boolean unauthorized(Throwable t) {
        return t instanceof MagpieApiException api && api.status() == 401;
    }

    private static boolean refusedForGood(Throwable t) {
        return t instanceof MagpieApiException api && api.status() >= 400 && api.status() < 500 && api.status() != 429;
    }

    /** The failure the caller gets: the API's status and code, with who and what happens next. */
    private static Throwable reported(String who, Throwable cause) {
        if (!(cause instanceof MagpieApiException api)) {
            return cause;
        }
        return new MagpieApiException(api.status(), api.code(), who + " logout: " + CURRENT_SESSION + " failed ("
                + api.getMessage() + "); the gate was sent LOGOUT if connected, but the refresh token may keep"
                + " working until it expires: call logout() again " + (api.retryable() ? "later" : "after fixing that"),
                api);
    }

    private String who(Credentials credentials) {
        return "[uid=" + (credentials == null ? "?" : credentials.uid()) + " device=" + deviceId + "]";
    }
}
