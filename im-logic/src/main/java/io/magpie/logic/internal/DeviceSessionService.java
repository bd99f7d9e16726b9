package io.magpie.logic.internal;

import io.magpie.protocol.LogIdentity;
import io.magpie.registry.ActiveSessions;
import io.magpie.registry.ActiveSessions.Status;
import io.magpie.das.DeviceSession;
import io.magpie.das.DeviceSessionRepository;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Platform;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device sessions: what makes tokens revocable. A login opens a session (random id, MySQL row with the
 * refresh token's hash, Redis entry for the gates) and hands out a short-lived access token naming it
 * plus a long-lived refresh token. A refresh rotates the refresh token (compare-and-set on its hash)
 * and issues a new access token of the same session; presenting the refresh token that the last
 * rotation replaced is taken as theft and ends the session. Logout, an operator kick and a password
 * change end sessions: MySQL first (the truth), then the Redis entry, then a KICK of the live
 * connections. A new login of the same device replaces its session, so the older tokens stop working,
 * and KICKs the device's live connections too (DUPLICATE_DEVICE, the reason a gate gives when the device
 * logs in there).
 *
 * <p>Thread-safe; blocking (JDBC, Redis waits): runs on the HTTP server's threads.
 */
public final class DeviceSessionService {

    private static final Logger log = LoggerFactory.getLogger(DeviceSessionService.class);
    private static final long REDIS_WAIT_MS = 5_000;

    private final DeviceSessionRepository sessions;
    private final ActiveSessions active;
    private final SessionKicker kicker;
    private final TokenCodec tokens;
    private final RefreshTokens refreshTokens;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Clock clock;

    public DeviceSessionService(DeviceSessionRepository sessions, ActiveSessions active, SessionKicker kicker,
            TokenCodec tokens, RefreshTokens refreshTokens, Duration accessTtl, Duration refreshTtl, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.active = Objects.requireNonNull(active, "active");
        this.kicker = Objects.requireNonNull(kicker, "kicker");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.refreshTokens = Objects.requireNonNull(refreshTokens, "refreshTokens");
        this.accessTtl = Objects.requireNonNull(accessTtl, "accessTtl");
        this.refreshTtl = Objects.requireNonNull(refreshTtl, "refreshTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a login or refresh hands to the device ({@code deviceId}: the session's, not sent). */
    public record Issued(long uid, String token, long expiresAtMillis, String refreshToken, long refreshExpiresAtMillis,
            String deviceId) {
    }

    /** {@link #open(long, String, Platform, String)} for no particular app. */
    public Issued open(long uid, String deviceId, Platform platform) throws ApiException {
        return open(uid, deviceId, platform, null);
    }

    /**
     * Opens a new session of (uid, device), replacing the one it had, and KICKs (DUPLICATE_DEVICE) the
     * device's live connections, which belong to the replaced session. The caller has checked the password.
     * The session's tokens carry {@code appId} (null for none), its refreshes too.
     */
    public Issued open(long uid, String deviceId, Platform platform, String appId) throws ApiException {
        long now = clock.millis();
        long sessionId = refreshTokens.newSessionId();
        String refresh = refreshTokens.issue(sessionId);
        long refreshExpiresAt = now + refreshTtl.toMillis();
        sessions.replace(new DeviceSession(uid, deviceId, sessionId, platform.getNumber(),
                RefreshTokens.hash(refresh), null, refreshExpiresAt, now, now, appId));
        await(active.activate(uid, deviceId, sessionId, refreshTtl), uid, deviceId);
        // The routes are read before the new token is handed out, so the connection it opens is never kicked.
        kickReplaced(uid, deviceId);
        return issue(uid, deviceId, platform, sessionId, appId, refresh, refreshExpiresAt, now);
    }

    private void kickReplaced(long uid, String deviceId) {
        try {
            kicker.kick(uid, deviceId::equals, KickReason.DUPLICATE_DEVICE, "the device logged in again over HTTP,"
                    + " which ended this session").get(REDIS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LogIdentity.device(log.atWarn(), null, uid, deviceId)
                    .log("[uid={} device={}] interrupted while kicking the replaced session's connections", uid,
                            deviceId);
        } catch (ExecutionException | TimeoutException e) {
            // best effort like every kick: the old token is already refused, its connection ends at reconnect
            LogIdentity.device(log.atWarn(), null, uid, deviceId)
                    .log("[uid={} device={}] the replaced session's connections could not be kicked in time; they"
                    + " end at their next reconnect", uid, deviceId, e);
        }
    }

    /** Rotates {@code refreshToken} and issues a new access token of its session. */
    public Issued refresh(String refreshToken) throws ApiException {
        OptionalLong sessionId = RefreshTokens.sessionId(refreshToken);
        if (sessionId.isEmpty()) {
            throw refused("INVALID_REFRESH_TOKEN", "the refresh token is malformed; log in again");
        }
        Optional<DeviceSession> found = sessions.findBySessionId(sessionId.getAsLong());
        if (found.isEmpty()) {
            throw refused("INVALID_REFRESH_TOKEN", "the refresh token's session has ended (logged out, revoked,"
                    + " or replaced by a newer login of the device); log in again");
        }
        DeviceSession session = found.get();
        byte[] hash = RefreshTokens.hash(refreshToken);
        long now = clock.millis();
        if (session.previousRefreshHash() != null && MessageDigest.isEqual(hash, session.previousRefreshHash())) {
            LogIdentity.device(log.atWarn(), null, session.uid(), session.deviceId())
                    .log("[uid={} device={}] a rotated refresh token was presented again; ending the session",
                    session.uid(), session.deviceId());
            end(session, KickReason.TOKEN_REVOKED, "a refresh token of this device was used twice (it may have"
                    + " been stolen); the session is ended");
            throw refused("REFRESH_TOKEN_REUSED", "this refresh token was already used; the device's session is"
                    + " ended for safety; log in again");
        }
        if (!MessageDigest.isEqual(hash, session.refreshHash())) {
            throw refused("INVALID_REFRESH_TOKEN", "the refresh token is not valid; log in again");
        }
        if (session.refreshExpiresAt() <= now) {
            throw refused("INVALID_REFRESH_TOKEN", "the refresh token expired " + (now - session.refreshExpiresAt())
                    + " ms ago; log in again");
        }
        if (await(active.status(session.uid(), session.deviceId(), session.sessionId()), session.uid(),
                session.deviceId()) == Status.LOGGED_OUT) {
            end(session, null, null);
            throw refused("INVALID_REFRESH_TOKEN", "the device logged out; log in again");
        }
        String next = refreshTokens.issue(session.sessionId());
        long refreshExpiresAt = now + refreshTtl.toMillis();
        if (!sessions.rotate(session.sessionId(), hash, RefreshTokens.hash(next), refreshExpiresAt, now)) {
            throw refused("INVALID_REFRESH_TOKEN", "the refresh token was used by a concurrent refresh; use the"
                    + " token that refresh returned, or log in again");
        }
        await(active.activate(session.uid(), session.deviceId(), session.sessionId(), refreshTtl), session.uid(),
                session.deviceId());
        return issue(session.uid(), session.deviceId(), Platform.forNumber(session.platform()), session.sessionId(),
                session.appId(), next, refreshExpiresAt, now);
    }

    /**
     * True while the token's session is current: checked on every authenticated API call. A session
     * Redis does not know is looked up in MySQL and cached again; one a gate logged out is ended.
     */
    public boolean isCurrent(TokenClaims claims) throws ApiException {
        if (!claims.boundToSession()) {
            return true; // minted with the signing secret itself, never by this API
        }
        Status status = await(active.status(claims.uid(), claims.deviceId(), claims.sessionId()), claims.uid(),
                claims.deviceId());
        switch (status) {
            case CURRENT:
                return true;
            case REPLACED:
                return false;
            case LOGGED_OUT:
                sessions.delete(claims.uid(), claims.deviceId(), claims.sessionId());
                return false;
            default:
                Optional<DeviceSession> row = sessions.find(claims.uid(), claims.deviceId());
                if (row.isEmpty() || row.get().sessionId() != claims.sessionId()) {
                    return false;
                }
                await(active.activate(claims.uid(), claims.deviceId(), claims.sessionId(),
                        Duration.ofMillis(Math.max(1, row.get().refreshExpiresAt() - clock.millis()))),
                        claims.uid(), claims.deviceId());
                return true;
        }
    }

    /** Ends the session of (uid, device) and kicks its connections; false if it had none. */
    public boolean revoke(long uid, String deviceId, KickReason reason, String why) throws ApiException {
        boolean had = sessions.delete(uid, deviceId);
        await(active.revoke(uid, deviceId), uid, deviceId);
        if (reason != null) {
            kicker.kick(uid, deviceId::equals, reason, why);
        }
        LogIdentity.device(log.atInfo(), null, uid, deviceId)
                .log("[uid={} device={}] session {}: {}", uid, deviceId, had ? "ended" : "was not open", why);
        return had;
    }

    /** Ends every session of {@code uid} except the one of {@code keepDevice} (null: all); returns the devices. */
    public List<String> revokeAll(long uid, String keepDevice, KickReason reason, String why) throws ApiException {
        List<String> ended = new ArrayList<>();
        for (DeviceSession s : sessions.findByUid(uid)) {
            if (s.deviceId().equals(keepDevice)) {
                continue;
            }
            sessions.delete(uid, s.deviceId(), s.sessionId());
            await(active.revoke(uid, s.deviceId()), uid, s.deviceId());
            ended.add(s.deviceId());
        }
        // kick by route too: a connection may outlive a session row that was already gone
        kicker.kick(uid, device -> !device.equals(keepDevice), reason, why);
        LogIdentity.user(log.atInfo(), uid)
                .log("[uid={}] sessions of devices {} ended: {}", uid, ended, why);
        return ended;
    }

    private void end(DeviceSession session, KickReason reason, String why) throws ApiException {
        sessions.delete(session.uid(), session.deviceId(), session.sessionId());
        await(active.revoke(session.uid(), session.deviceId()), session.uid(), session.deviceId());
        if (reason != null) {
            kicker.kick(session.uid(), session.deviceId()::equals, reason, why);
        }
    }

    private Issued issue(long uid, String deviceId, Platform platform, long sessionId, String appId, String refresh,
            long refreshExpiresAt, long now) {
        long expiresAt = Math.min(now + accessTtl.toMillis(), refreshExpiresAt);
        String token = tokens.issue(new TokenClaims(uid, deviceId, platform, expiresAt, sessionId, appId));
        return new Issued(uid, token, expiresAt, refresh, refreshExpiresAt, deviceId);
    }

    private static <T> T await(CompletableFuture<T> future, long uid, String deviceId)
            throws ApiException {
        try {
            return future.get(REDIS_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(uid, deviceId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw busy(uid, deviceId, e);
        }
    }

    private static ApiException busy(long uid, String deviceId, Exception e) {
        LogIdentity.device(log.atWarn(), null, uid, deviceId)
                .log("[uid={} device={}] the session store (Redis) did not answer", uid, deviceId, e);
        return new ApiException(503, "SERVER_BUSY", "the session store is unavailable right now; try again later");
    }

    private static ApiException refused(String code, String message) {
        return new ApiException(401, code, message);
    }
}
