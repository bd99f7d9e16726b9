package io.magpie.logic.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * The settings routes of the account API (JSON; the caller is the bearer token's uid and device):
 * <ul>
 *   <li>{@code PUT /v1/devices/{deviceId}/push-token {provider: "webhook"|"apns"|"fcm", token}} -> 204</li>
 *   <li>{@code PUT /v1/conversations/{conversationId}/mute {muted: bool}} -> 204</li>
 *   <li>{@code PUT /v1/conversations/{conversationId}/pin {pinned: bool}} -> 204</li>
 *   <li>{@code PUT /v1/conversations/{conversationId}/hide {hidden: bool}} -> 204</li>
 *   <li>{@code PUT /v1/me/settings/read-receipts {enabled: bool}} -> 204</li>
 * </ul>
 * Thread-safe.
 */
public final class SettingsRoutes {

    record PushToken(String provider, String token) {
    }

    record Mute(Boolean muted) {
    }

    record ReadReceipts(Boolean enabled) {
    }

    record Pin(Boolean pinned) {
    }

    record Hide(Boolean hidden) {
    }

    private final SettingsService settings;
    private final JsonBodies bodies;

    public SettingsRoutes(SettingsService settings, JsonBodies bodies) {
        this.settings = settings;
        this.bodies = bodies;
    }

    public void register(Javalin app) {
        app.put("/v1/devices/{deviceId}/push-token", this::pushToken);
        app.put("/v1/conversations/{conversationId}/mute", this::mute);
        app.put("/v1/conversations/{conversationId}/pin", this::pin);
        app.put("/v1/conversations/{conversationId}/hide", this::hide);
        app.put("/v1/me/settings/read-receipts", this::readReceipts);
    }

    private void pin(Context ctx) throws ApiException {
        Pin req = bodies.read(ctx, Pin.class);
        settings.pin(BearerAuth.caller(ctx).uid(), ctx.pathParam("conversationId"), req.pinned());
        ctx.status(204);
    }

    private void hide(Context ctx) throws ApiException {
        Hide req = bodies.read(ctx, Hide.class);
        settings.hide(BearerAuth.caller(ctx).uid(), ctx.pathParam("conversationId"), req.hidden());
        ctx.status(204);
    }

    private void readReceipts(Context ctx) throws ApiException {
        ReadReceipts req = bodies.read(ctx, ReadReceipts.class);
        settings.setReadReceipts(BearerAuth.caller(ctx).uid(), req.enabled());
        ctx.status(204);
    }

    private void pushToken(Context ctx) throws ApiException {
        PushToken req = bodies.read(ctx, PushToken.class);
        settings.registerPushToken(BearerAuth.caller(ctx), ctx.pathParam("deviceId"), req.provider(), req.token());
        ctx.status(204);
    }

    private void mute(Context ctx) throws ApiException {
        Mute req = bodies.read(ctx, Mute.class);
        settings.mute(BearerAuth.caller(ctx).uid(), ctx.pathParam("conversationId"), req.muted());
        ctx.status(204);
    }
}
