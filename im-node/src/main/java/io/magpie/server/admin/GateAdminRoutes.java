package io.magpie.server.admin;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's admin endpoints on the process's health listener:
 * <ul>
 *   <li>{@code POST /admin/v1/drain}: starts draining this process's gate (docs/operations.md §5), 202 with
 *       its status; a second call answers the same drain;</li>
 *   <li>{@code GET /admin/v1/drain}: the gate's status (state, open connections, RECONNECTs sent).</li>
 * </ul>
 * Both need {@code Authorization: Bearer <gate.admin-token>}; while the token is unset they answer 404
 * {@code ADMIN_DISABLED} (as the LSB's admin routes do), a missing or wrong token 401. The comparison takes
 * the same time whatever the guess. The gate registers itself through {@link #attach} once it runs; until
 * then (and in a process without a gate) the endpoints answer 503 {@code NO_GATE}. Thread-safe.
 */
public final class GateAdminRoutes {

    private static final Logger log = LoggerFactory.getLogger(GateAdminRoutes.class);
    private static final String SCHEME = "Bearer ";
    public static final String PATH = "/admin/v1/drain";

    private final byte[] expectedDigest;
    private volatile GateDrainControl gate;

    /** @param adminToken {@code gate.admin-token}, or null: the endpoints answer 404 */
    public GateAdminRoutes(String adminToken) {
        this.expectedDigest = adminToken == null ? null : digest(adminToken);
    }

    /** The running gate the endpoints act on. */
    public void attach(GateDrainControl control) {
        this.gate = Objects.requireNonNull(control, "control");
    }

    /** Adds the routes to {@code javalin} (before it starts). */
    public void install(Javalin javalin) {
        javalin.post(PATH, this::drain);
        javalin.get(PATH, this::status);
    }

    private void drain(Context ctx) {
        GateDrainControl control = authorizedGate(ctx);
        if (control == null) {
            return;
        }
        try {
            control.drain("gate draining (operator request)");
        } catch (IllegalStateException e) {
            error(ctx, 503, "NO_GATE", e.getMessage());
            return;
        }
        log.info("[admin] drain requested by {} for gate {}", ctx.ip(), control.status() == null ? "?"
                : control.status().gateId());
        answerStatus(ctx, 202, control);
    }

    private void status(Context ctx) {
        GateDrainControl control = authorizedGate(ctx);
        if (control != null) {
            answerStatus(ctx, 200, control);
        }
    }

    private void answerStatus(Context ctx, int code, GateDrainControl control) {
        GateDrainControl.Status s = control.status();
        if (s == null) {
            error(ctx, 503, "NO_GATE", "the gate of this process has stopped");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gateId", s.gateId());
        body.put("state", s.state());
        body.put("connections", s.connections());
        body.put("reconnectsSent", s.reconnectsSent());
        ctx.status(code).json(body);
    }

    /** Checks the token; answers the error and returns null when the call may not go on. */
    private GateDrainControl authorizedGate(Context ctx) {
        if (expectedDigest == null) {
            error(ctx, 404, "ADMIN_DISABLED", "the gate's admin endpoints are off; set gate.admin-token"
                    + " (MAGPIE_GATE_ADMIN_TOKEN) to enable them");
            return null;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, 401, "UNAUTHORIZED", "admin calls need 'Authorization: Bearer <gate.admin-token>'");
            return null;
        }
        if (!MessageDigest.isEqual(expectedDigest, digest(header.substring(SCHEME.length()).strip()))) {
            ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, 401, "UNAUTHORIZED", "the admin token was refused");
            return null;
        }
        GateDrainControl control = gate;
        if (control == null) {
            error(ctx, 503, "NO_GATE", "this process runs no gate (or it has not started yet)");
        }
        return control;
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(Map.of("code", code, "message", message));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
        }
    }
}
