package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.logic.internal.DeviceSessionService.Issued;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Platform;
import java.util.List;

/**
 * The session routes of the account API (JSON):
 * <ul>
 *   <li>{@code POST /v1/sessions {username, password, deviceId, platform, appId?}} -> 200 {@link SessionView}
 *       (open); the tokens of the session carry the app id, which gates serving specific apps check</li>
 *   <li>{@code POST /v1/sessions/refresh {refreshToken}} -> 200 {@link SessionView} (open)</li>
 *   <li>{@code DELETE /v1/sessions/current} -> 204: logs the calling device out</li>
 *   <li>{@code PUT /v1/accounts/me/password {currentPassword, newPassword}} -> 204: ends the sessions of
 *       the user's other devices</li>
 *   <li>{@code POST /v1/admin/kick {uid, deviceId?, message?}} -> 200 {uid, devices} (admin token): ends
 *       the device's session (every device's without deviceId) and KICKs its connections</li>
 * </ul>
 * Login, refresh and password change count against the {@link LoginLimiter} before any hashing. A banned
 * user's login (right password) and refresh answer 403 {@code BANNED} ({@link UserModeration}).
 * Thread-safe.
 */
public final class SessionApiRoutes {

    record NewSession(String username, String password, String deviceId, String platform, String appId) {
    }

    record Refresh(String refreshToken) {
    }

    record PasswordChange(String currentPassword, String newPassword) {
    }

    record Kick(Long uid, String deviceId, String message) {
    }

    record SessionView(long uid, String token, long expiresAt, String refreshToken, long refreshExpiresAt) {
        static SessionView of(Issued i) {
            return new SessionView(i.uid(), i.token(), i.expiresAtMillis(), i.refreshToken(),
                    i.refreshExpiresAtMillis());
        }
    }

    record Kicked(long uid, List<String> devices) {
    }

    private final AccountService accounts;
    private final DeviceSessionService sessions;
    private final LoginLimiter limiter;
    private final JsonBodies bodies;
    private final UserModeration moderation;

    /** @param moderation refuses the login and refresh of banned users (403 BANNED) */
    public SessionApiRoutes(AccountService accounts, DeviceSessionService sessions, LoginLimiter limiter,
            JsonBodies bodies, UserModeration moderation) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.moderation = moderation;
        this.limiter = limiter;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.post("/v1/sessions", this::login, Access.OPEN);
        app.post("/v1/sessions/refresh", this::refresh, Access.OPEN);
        app.delete("/v1/sessions/current", this::logout);
        app.put("/v1/accounts/me/password", this::changePassword);
        app.post("/v1/admin/kick", this::kick, Access.ADMIN);
    }

    private void login(Context ctx) throws ApiException {
        NewSession req = bodies.read(ctx, NewSession.class);
        if (req.username() == null || req.password() == null) {
            throw ApiException.badRequest("username and password are required");
        }
        if (req.username().length() > AccountInput.USERNAME_MAX) {
            throw new ApiException(401, "BAD_CREDENTIALS", "username or password is wrong");
        }
        String device = AccountInput.deviceId(req.deviceId());
        Platform platform = AccountInput.platform(req.platform());
        String appId = AccountInput.appId(req.appId());
        limiter.attempt(ctx, LoginLimiter.Kind.LOGIN, req.username());
        long uid = accounts.authenticate(req.username(), req.password());
        moderation.refuseIfBanned(uid);
        ctx.json(SessionView.of(refuseIfBannedMeanwhile(sessions.open(uid, device, platform, appId))));
    }

    /**
     * A ban stored while the session was opened or refreshed may have ended the sessions before this one was
     * written: asking again after the write closes that race (the ban is stored before it ends sessions).
     */
    private Issued refuseIfBannedMeanwhile(Issued issued) throws ApiException {
        try {
            moderation.refuseIfBanned(issued.uid());
            return issued;
        } catch (ApiException banned) {
            sessions.revoke(issued.uid(), issued.deviceId(), null, "the account is banned");
            throw banned;
        }
    }

    private void refresh(Context ctx) throws ApiException {
        Refresh req = bodies.read(ctx, Refresh.class);
        if (req.refreshToken() == null || req.refreshToken().isBlank()) {
            throw ApiException.badRequest("refreshToken is required (from POST /v1/sessions or the last refresh)");
        }
        limiter.attempt(ctx, LoginLimiter.Kind.REFRESH, null);
        ctx.json(SessionView.of(refuseIfBannedMeanwhile(sessions.refresh(req.refreshToken().strip()))));
    }

    private void logout(Context ctx) throws ApiException {
        TokenClaims caller = BearerAuth.caller(ctx);
        sessions.revoke(caller.uid(), caller.deviceId(), KickReason.TOKEN_REVOKED, "this device logged out");
        ctx.status(204);
    }

    private void changePassword(Context ctx) throws ApiException {
        PasswordChange req = bodies.read(ctx, PasswordChange.class);
        TokenClaims caller = BearerAuth.caller(ctx);
        limiter.attempt(ctx, LoginLimiter.Kind.LOGIN, "uid:" + caller.uid());
        accounts.changePassword(caller.uid(), req.currentPassword(), req.newPassword());
        sessions.revokeAll(caller.uid(), caller.deviceId(), KickReason.TOKEN_REVOKED,
                "the account's password was changed on device " + caller.deviceId());
        ctx.status(204);
    }

    private void kick(Context ctx) throws ApiException {
        Kick req = bodies.read(ctx, Kick.class);
        if (req.uid() == null || req.uid() <= 0) {
            throw ApiException.badRequest("uid must be a positive integer");
        }
        if (accounts.find(req.uid()).isEmpty()) {
            throw new ApiException(404, "NOT_FOUND", "no account with uid " + req.uid() + "; nothing was ended");
        }
        String why = "an operator ended this session" + (req.message() == null || req.message().isBlank() ? ""
                : ": " + abbreviate(req.message().strip()));
        if (req.deviceId() == null) {
            ctx.json(new Kicked(req.uid(), sessions.revokeAll(req.uid(), null, KickReason.ADMIN, why)));
            return;
        }
        String device = AccountInput.deviceId(req.deviceId());
        boolean had = sessions.revoke(req.uid(), device, KickReason.ADMIN, why);
        ctx.json(new Kicked(req.uid(), had ? List.of(device) : List.of()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
