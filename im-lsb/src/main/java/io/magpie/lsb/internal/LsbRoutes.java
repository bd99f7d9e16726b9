package io.magpie.lsb.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.magpie.registry.GateInfo;
import io.magpie.lsb.internal.LsbJson.AdminGateList;
import io.magpie.lsb.internal.LsbJson.AdminGateView;
import io.magpie.lsb.internal.LsbJson.ApiError;
import io.magpie.lsb.internal.LsbJson.GateAddress;
import io.magpie.lsb.internal.LsbJson.GateList;
import io.magpie.lsb.internal.LsbJson.GateView;
import io.magpie.lsb.internal.LsbJson.Health;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LSB's HTTP endpoints and error mapping. Handlers only read the in-memory view kept by
 * {@link RegistryPoller}; none of them does I/O. Every error leaves as {@code {code, message}}.
 */
public final class LsbRoutes {

    private static final Logger log = LoggerFactory.getLogger(LsbRoutes.class);
    static final int MAX_PARAM_LENGTH = 128;

    private final GateSelector selector;
    private final LongSupplier lastRegistryRead;
    private final Clock clock;
    private final Duration readinessStaleness;
    private final byte[] openApi;
    private final byte[] adminToken;

    /**
     * @param lastRegistryRead   clock millis of the last successful registry read, -1 if none yet
     * @param readinessStaleness ready while the last successful read is at most this old
     * @param openApi            the OpenAPI document served at {@code /openapi.yaml}
     * @param adminToken         bearer token of {@code /admin/...}; null turns the admin endpoints off
     */
    public LsbRoutes(GateSelector selector, LongSupplier lastRegistryRead, Clock clock, Duration readinessStaleness,
                     byte[] openApi, String adminToken) {
        this.selector = selector;
        this.lastRegistryRead = lastRegistryRead;
        this.clock = clock;
        this.readinessStaleness = readinessStaleness;
        this.openApi = openApi.clone();
        this.adminToken = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public void register(Javalin app) {
        app.get("/v1/gate", this::pickGate);
        app.get("/v1/gates", this::listGates);
        app.get("/admin/v1/gates", this::listGatesForAdmin);
        app.get("/health/live", ctx -> ctx.json(new Health("UP", registryReadAge())));
        app.get("/health/ready", this::ready);
        app.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));

        app.exception(HttpResponseException.class, (e, ctx) -> {
            String code = switch (e.getStatus()) {
                case 404 -> "NOT_FOUND";
                case 405 -> "METHOD_NOT_ALLOWED";
                case 400 -> "BAD_REQUEST";
                default -> "HTTP_" + e.getStatus();
            };
            String message = e.getStatus() == 404
                    ? "no endpoint " + ctx.method() + " " + ctx.path() + "; see GET /openapi.yaml"
                    : e.getMessage();
            error(ctx, e.getStatus(), code, message);
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.warn("[lsb] {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "INTERNAL", "internal error in the LSB; retry the request");
        });
    }

    private void pickGate(Context ctx) {
        String appId = param(ctx, "appId");
        String gray = param(ctx, "gray");
        String zone = param(ctx, "zone");
        ctx.header("Cache-Control", "no-store");
        Optional<GateInfo> gate = selector.choose(appId, gray, zone);
        if (gate.isEmpty()) {
            error(ctx, 503, "NO_GATE", "no ACTIVE gate is registered; start a gate or wait for it to report");
            return;
        }
        ctx.json(GateAddress.of(gate.get()));
    }

    private void listGates(Context ctx) {
        long now = clock.millis();
        ctx.header("Cache-Control", "no-store");
        ctx.json(new GateList(registryReadAge(), selector.loads().stream().map(l -> GateView.of(l, now)).toList()));
    }

    private void listGatesForAdmin(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        if (adminToken == null) {
            error(ctx, 404, "ADMIN_DISABLED", "the admin endpoints are off; set lsb.admin-token to turn them on");
            return;
        }
        String header = ctx.header("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(adminToken, given)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"magpie-lsb-admin\"");
            error(ctx, 401, "UNAUTHORIZED", "GET /admin/v1/gates needs Authorization: Bearer <lsb.admin-token>");
            return;
        }
        long now = clock.millis();
        ctx.json(new AdminGateList(registryReadAge(),
                selector.loads().stream().map(l -> AdminGateView.of(l, now)).toList()));
    }

    private void ready(Context ctx) {
        long age = registryReadAge();
        if (age < 0) {
            error(ctx, 503, "NOT_READY", "the gate registry has not been read successfully yet; "
                    + "check Redis, the LSB retries on its own");
        } else if (age > readinessStaleness.toMillis()) {
            error(ctx, 503, "NOT_READY", "the last successful gate registry read is " + age
                    + " ms old, more than the " + readinessStaleness.toMillis()
                    + " ms allowed; the LSB keeps serving its last view and retries");
        } else {
            ctx.json(new Health("READY", age));
        }
    }

    /** Age in ms of the last successful registry read, -1 if there was none. */
    private long registryReadAge() {
        long last = lastRegistryRead.getAsLong();
        return last < 0 ? -1 : Math.max(0, clock.millis() - last);
    }

    /** A query parameter, null when absent or blank; too long -> 400. */
    private static String param(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_PARAM_LENGTH) {
            throw new HttpResponseException(HttpStatus.BAD_REQUEST.getCode(), "query parameter " + name
                    + " is " + value.length() + " characters, at most " + MAX_PARAM_LENGTH + " are allowed");
        }
        return value.trim();
    }

    private static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(new ApiError(code, message));
    }
}
