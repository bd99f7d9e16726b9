package io.magpie.logic.internal;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.magpie.protocol.auth.InvalidTokenException;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;

/**
 * Javalin before-handler of every matched route not marked {@link Access#OPEN} or {@link Access#ADMIN}:
 * verifies {@code Authorization: Bearer <access token>} with the {@link TokenCodec} (key, signature and
 * expiry), then that its device session is still current ({@link DeviceSessionService#isCurrent}: a
 * logged-out, kicked or replaced session's tokens are refused), and keeps the claims for the handler
 * ({@link #caller}); the acting uid is the token's, never a body field. Missing, bad or revoked token:
 * 401 {@code {code: "UNAUTHORIZED", message}} with {@code WWW-Authenticate: Bearer}. Thread-safe.
 */
public final class BearerAuth implements Handler {

    private static final String CLAIMS = "magpie.claims";
    private static final String SCHEME = "Bearer ";

    private final TokenCodec tokens;
    private final DeviceSessionService sessions;

    public BearerAuth(TokenCodec tokens, DeviceSessionService sessions) {
        this.tokens = tokens;
        this.sessions = sessions;
    }

    @Override
    public void handle(Context ctx) throws ApiException {
        if (ctx.routeRoles().contains(Access.OPEN) || ctx.routeRoles().contains(Access.ADMIN)
                || WebChatRoutes.isPageFile(ctx)) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthorized(ctx, "this call needs the header 'Authorization: Bearer <token>' with the token from"
                    + " POST /v1/sessions");
        }
        if (header.length() <= SCHEME.length() || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw unauthorized(ctx, "the Authorization header must be 'Bearer <token>'");
        }
        TokenClaims claims;
        try {
            claims = tokens.verify(header.substring(SCHEME.length()).strip());
        } catch (InvalidTokenException e) {
            throw unauthorized(ctx, "the bearer token was refused: " + e.getMessage());
        }
        if (!sessions.isCurrent(claims)) {
            throw unauthorized(ctx, "the bearer token was revoked (the device logged out, was kicked, logged in"
                    + " again or its password changed); refresh it or log in again");
        }
        ctx.attribute(CLAIMS, claims);
    }

    /** The verified claims of the request's token; only in handlers of protected routes. */
    public static TokenClaims caller(Context ctx) {
        TokenClaims claims = ctx.attribute(CLAIMS);
        if (claims == null) {
            throw new IllegalStateException(ctx.method() + " " + ctx.path() + " is not a protected route: no caller");
        }
        return claims;
    }

    private static ApiException unauthorized(Context ctx, String message) {
        ctx.header("WWW-Authenticate", "Bearer");
        return new ApiException(401, "UNAUTHORIZED", message);
    }
}
