package io.magpie.registry;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Which session is the current one of each device: the fast copy of {@code device_session} (MySQL, the
 * truth) that a gate reads at every LOGIN, in one asynchronous GET, to refuse a revoked access token.
 * The account API writes it at login and refresh and deletes it on revocation, after MySQL. A gate's
 * LOGOUT marks the entry logged out; the account API then ends the session in MySQL at its next look.
 *
 * <p>An entry that is missing (expired, or Redis lost its data) means "not known to be current": a gate
 * refuses the token and the client refreshes it, which writes the entry again from MySQL.
 * Thread-safe.
 */
public interface ActiveSessions {

    /** What the store says of a session id. */
    enum Status {
        /** It is the device's current session. */
        CURRENT,
        /** A gate recorded a LOGOUT of it. */
        LOGGED_OUT,
        /** The device has another session now (a newer login, or this one was replaced). */
        REPLACED,
        /** Nothing is stored for the device: ask MySQL. */
        UNKNOWN
    }

    /** What the store says of {@code sessionId} of (uid, device). */
    CompletableFuture<Status> status(long uid, String deviceId, long sessionId);

    /** Makes {@code sessionId} the current session of (uid, device) for {@code ttl}. */
    CompletableFuture<Void> activate(long uid, String deviceId, long sessionId, Duration ttl);

    /** Forgets the current session of (uid, device). */
    CompletableFuture<Void> revoke(long uid, String deviceId);

    /**
     * Records a LOGOUT of {@code sessionId} unless the device already has another session; the mark
     * keeps the entry's remaining lifetime, or lives {@code ttlIfAbsent} when there was no entry.
     */
    CompletableFuture<Void> logout(long uid, String deviceId, long sessionId, Duration ttlIfAbsent);

    /** Knows no session: every bound token is UNKNOWN, writes do nothing. For roles without Redis (tests). */
    ActiveSessions NONE = answering(Status.UNKNOWN);

    /** Answers every token's session with {@code status}, writes do nothing: a store for tests of the gate alone. */
    static ActiveSessions answering(Status status) {
        return new ActiveSessions() {
            @Override
            public CompletableFuture<Status> status(long uid, String deviceId, long sessionId) {
                return CompletableFuture.completedFuture(status);
            }

            @Override
            public CompletableFuture<Void> activate(long uid, String deviceId, long sessionId, Duration ttl) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> revoke(long uid, String deviceId) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> logout(long uid, String deviceId, long sessionId, Duration ttlIfAbsent) {
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
