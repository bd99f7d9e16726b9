package io.magpie.server.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.magpie.http.BodyLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health listener of one process: {@code GET /health/live} and {@code GET /health/ready} answer
 * 200 {@code {"status":"UP","roles":{...}}} when every role the process runs says so, and 503 with
 * the same body naming the role that does not. Live = do not restart me (a consumer loop that ended
 * or is wedged, an event loop that does not run tasks, says DOWN); ready = send me work.
 *
 * <p>With a metrics source it also serves {@code GET /metrics}: every meter of the process in the
 * Prometheus text format (docs/operations.md, "Metrics").
 *
 * <p>Thread-safe. Started by the process's composition root before its roles, so an orchestrator sees
 * the process (live, not ready) while it waits for Redis, Kafka and MySQL; each role's check is
 * {@link #add added} once the role runs.
 */
public final class HealthServer implements AutoCloseable {

    /** One role's two answers. A check that throws counts as DOWN (and is logged). */
    public record Check(String role, BooleanSupplier live, BooleanSupplier ready) {
        public Check {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(live, "live");
            Objects.requireNonNull(ready, "ready");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    /** The Prometheus text exposition format. */
    /** The listener's OpenAPI document on the classpath, served as {@code GET /openapi.yaml}. */
    static final String OPENAPI = "/openapi/health.yaml";
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Javalin javalin;
    private final List<Check> checks;

    private HealthServer(Javalin javalin, List<Check> checks) {
        this.javalin = javalin;
        this.checks = new CopyOnWriteArrayList<>(checks);
    }

    /** Adds a role's check (a role that started after the listener). */
    public void add(Check check) {
        checks.add(Objects.requireNonNull(check, "check"));
        log.info("[health] now answering for {}", checks.stream().map(Check::role).toList());
    }

    /**
     * Binds the listener.
     *
     * @throws IllegalStateException if the port cannot be bound (the message names {@code health.port})
     */
    public static HealthServer start(HealthConfig config, List<Check> checks) {
        return start(config, checks, null, javalin -> { });
    }

    /**
     * Binds the listener with more routes than the two health ones: the operator's admin routes of the
     * process's roles (e.g. the gate's drain endpoint), which carry their own authentication.
     */
    public static HealthServer start(HealthConfig config, List<Check> checks, Consumer<Javalin> moreRoutes) {
        return start(config, checks, null, moreRoutes);
    }

    /** Binds the listener, serving {@code GET /metrics} too. */
    public static HealthServer start(HealthConfig config, List<Check> checks, Supplier<String> metrics) {
        return start(config, checks, metrics, javalin -> { });
    }

    /**
     * Binds the listener: the health routes, {@code GET /metrics} when {@code metrics} is not null, and
     * {@code moreRoutes}.
     *
     * @param metrics the Prometheus text of every meter of the process, computed per request (called on an
     *                HTTP worker thread, never an event loop); null = no {@code /metrics}
     * @throws IllegalStateException if the port cannot be bound (the message names {@code health.port})
     */
    public static HealthServer start(HealthConfig config, List<Check> checks, Supplier<String> metrics,
            Consumer<Javalin> moreRoutes) {
        List<Check> copy = List.copyOf(checks);
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jsonMapper(new JavalinJackson(new ObjectMapper(), false));
            // POST /health/live is a wrong method, not an unknown path (health.yaml promises 405)
            cfg.http.prefer405over404 = true;
            BodyLimit.install(cfg, BodyLimit.DEFAULT_MAX_BYTES);
        });
        HealthServer server = new HealthServer(javalin, copy);
        javalin.get("/health/live", ctx -> server.answer(ctx, Check::live));
        javalin.get("/health/ready", ctx -> server.answer(ctx, Check::ready));
        byte[] document = openApi();
        javalin.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(document));
        if (metrics != null) {
            javalin.get("/metrics", ctx -> ctx.contentType(METRICS_CONTENT_TYPE).result(metrics.get()));
        }
        moreRoutes.accept(javalin);
        // our {code, message} shape for Javalin's own answers too (an unknown path, a wrong method)
        javalin.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus()).json(Map.of(
                "code", e.getStatus() == 404 ? "NOT_FOUND" : e.getStatus() == 405 ? "METHOD_NOT_ALLOWED"
                        : "HTTP_" + e.getStatus(),
                "message", e.getStatus() == 404 ? "no endpoint " + ctx.method() + " " + ctx.path()
                        + " on the health listener (docs/operations.md \"Health\")" : e.getMessage())));
        javalin.exception(Exception.class, (e, ctx) -> {
            log.warn("[health] {} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(Map.of("code", "INTERNAL", "message",
                    "the health listener failed to answer; it was logged, try again"));
        });
        try {
            javalin.start(config.bind(), config.port());
        } catch (RuntimeException e) {
            javalin.stop();
            throw new IllegalStateException("cannot bind the health listener to " + config.bind() + ":" + config.port()
                    + " (health.bind / health.port): " + e.getMessage() + "; choose a free port or set"
                    + " health.enabled: false", e);
        }
        log.info("[health] serving /health/live, /health/ready{} on {}:{} for {}", metrics == null ? "" : " and /metrics",
                config.bind(), server.port(), copy.stream().map(Check::role).toList());
        return server;
    }

    /** health.yaml, read once per listener: a jar without it fails the process at start, not at a request. */
    private static byte[] openApi() {
        try (InputStream in = HealthServer.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " is missing from the classpath; the jar is incomplete");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + OPENAPI, e);
        }
    }

    private void answer(Context ctx, Function<Check, BooleanSupplier> which) {
        Map<String, String> roles = new LinkedHashMap<>();
        boolean up = true;
        for (Check check : checks) {
            boolean roleUp;
            try {
                roleUp = which.apply(check).getAsBoolean();
            } catch (RuntimeException e) {
                log.warn("[health] the check of role {} failed; reporting it DOWN", check.role(), e);
                roleUp = false;
            }
            roles.put(check.role(), roleUp ? "UP" : "DOWN");
            up &= roleUp;
        }
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN", "roles", roles));
    }

    /** The bound port. */
    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
