package io.magpie.logic.internal;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Javalin before-handler of the routes marked {@link Access#ADMIN}: they need
 * {@code Authorization: Bearer <logic.admin-token>}, a secret of the operator that is neither a user's
 * token nor the token secret. Without a configured admin token the admin routes answer 403
 * {@code ADMIN_DISABLED}. The comparison takes the same time whatever the guess. Thread-safe.
 */
public final class AdminAuth implements Handler {

    private static final String SCHEME = "Bearer ";

    private final byte[] expectedDigest;

    /** @param adminToken the operator's admin token, or null to disable the admin routes */
    public AdminAuth(String adminToken) {
        this.expectedDigest = adminToken == null ? null : digest(adminToken);
    }

    @Override
    public void handle(Context ctx) throws ApiException {
        if (!ctx.routeRoles().contains(Access.ADMIN)) {
            return;
        }
        if (expectedDigest == null) {
            throw new ApiException(403, "ADMIN_DISABLED", "the admin API is disabled on this server; set"
                    + " logic.admin-token (MAGPIE_LOGIC_ADMIN_TOKEN) to enable it");
        }
        String header = ctx.header("Authorization");
        if (header == null || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "UNAUTHORIZED", "admin calls need 'Authorization: Bearer <admin token>'");
        }
        if (!MessageDigest.isEqual(expectedDigest, digest(header.substring(SCHEME.length()).strip()))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "UNAUTHORIZED", "the admin token was refused");
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
        }
    }
}
