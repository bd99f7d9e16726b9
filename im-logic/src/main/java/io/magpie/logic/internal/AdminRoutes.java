package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.magpie.das.UserRestrictions.Kind;
import java.util.List;

/**
 * The operator's routes of the account API (admin token, {@link AdminAuth}; {@code POST /v1/admin/kick} is
 * in {@link SessionApiRoutes}):
 * <ul>
 *   <li>{@code GET /v1/admin/users/{uid}}, {@code GET /v1/admin/users?username=NAME} -> 200
 *       {@link UserInspector.UserView}: profile, ban and mute in force, devices and where they are online</li>
 *   <li>{@code PUT /v1/admin/users/{uid}/ban {until?, reason?}} -> 200 {uid, ban, devices}: ends the
 *       sessions, kicks the connections, refuses login and refresh (403 BANNED) until it ends</li>
 *   <li>{@code DELETE /v1/admin/users/{uid}/ban} -> 200 {uid, lifted}</li>
 *   <li>{@code PUT /v1/admin/users/{uid}/mute {until?, reason?}} -> 200 {uid, mute}: SENDs refused with
 *       ERROR MUTED</li>
 *   <li>{@code DELETE /v1/admin/users/{uid}/mute} -> 200 {uid, lifted}</li>
 *   <li>{@code GET /v1/admin/stats} -> 200 {@link ClusterStats.Stats}</li>
 * </ul>
 * Thread-safe.
 */
public final class AdminRoutes {

    record Restrict(Long until, String reason) {
    }

    record BanResult(long uid, UserInspector.RestrictionView ban, List<String> devices) {
    }

    record MuteResult(long uid, UserInspector.RestrictionView mute) {
    }

    record Lifted(long uid, boolean lifted) {
    }

    private final UserInspector inspector;
    private final UserModeration moderation;
    private final ClusterStats stats;
    private final JsonBodies bodies;

    /** @param stats null when the role runs without Redis: {@code /v1/admin/stats} answers 503 */
    public AdminRoutes(UserInspector inspector, UserModeration moderation, ClusterStats stats, JsonBodies bodies) {
        this.inspector = inspector;
        this.moderation = moderation;
        this.stats = stats;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.get("/v1/admin/users/{uid}", this::user, Access.ADMIN);
        app.get("/v1/admin/users", this::userByName, Access.ADMIN);
        app.put("/v1/admin/users/{uid}/ban", this::ban, Access.ADMIN);
        app.delete("/v1/admin/users/{uid}/ban", ctx -> lift(ctx, Kind.BAN), Access.ADMIN);
        app.put("/v1/admin/users/{uid}/mute", this::mute, Access.ADMIN);
        app.delete("/v1/admin/users/{uid}/mute", ctx -> lift(ctx, Kind.MUTE), Access.ADMIN);
        app.get("/v1/admin/stats", this::stats, Access.ADMIN);
    }

    private void user(Context ctx) throws ApiException {
        ctx.json(inspector.byUid(JsonBodies.positiveId(ctx, "uid")));
    }

    private void userByName(Context ctx) throws ApiException {
        String username = ctx.queryParam("username");
        if (username == null || username.isBlank()) {
            throw ApiException.badRequest("query parameter username is required, e.g. /v1/admin/users?username=bob"
                    + " (or look up by uid: /v1/admin/users/{uid})");
        }
        if (username.length() > AccountInput.USERNAME_MAX) {
            throw ApiException.badRequest("username is " + username.length() + " characters, more than "
                    + AccountInput.USERNAME_MAX);
        }
        ctx.json(inspector.byUsername(username));
    }

    private void ban(Context ctx) throws ApiException {
        long uid = JsonBodies.positiveId(ctx, "uid");
        Restrict req = restrict(ctx);
        UserModeration.Banned banned = moderation.ban(uid, until(req), req.reason());
        ctx.json(new BanResult(uid, UserInspector.RestrictionView.of(banned.ban()), banned.endedDevices()));
    }

    private void mute(Context ctx) throws ApiException {
        long uid = JsonBodies.positiveId(ctx, "uid");
        Restrict req = restrict(ctx);
        ctx.json(new MuteResult(uid, UserInspector.RestrictionView.of(moderation.mute(uid, until(req),
                req.reason()))));
    }

    private void lift(Context ctx, Kind kind) throws ApiException {
        long uid = JsonBodies.positiveId(ctx, "uid");
        ctx.json(new Lifted(uid, moderation.lift(uid, kind)));
    }

    private void stats(Context ctx) throws ApiException {
        if (stats == null) {
            throw new ApiException(503, "SERVER_BUSY", "this logic role runs without Redis, where the routes are;"
                    + " ask a logic role of the cluster");
        }
        ctx.json(stats.read());
    }

    /** An empty body is a restriction until lifted, without a reason. */
    private Restrict restrict(Context ctx) throws ApiException {
        return ctx.body().isBlank() ? new Restrict(null, null) : bodies.read(ctx, Restrict.class);
    }

    private static long until(Restrict req) throws ApiException {
        if (req.until() == null) {
            return 0;
        }
        if (req.until() < 0) {
            throw ApiException.badRequest("until must be ms since the epoch in the future, or 0 for until lifted;"
                    + " got " + req.until());
        }
        return req.until();
    }
}
