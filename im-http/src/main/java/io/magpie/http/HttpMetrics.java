package io.magpie.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Times every request of a Javalin listener as {@code magpie_http_requests_seconds} with tags
 * {@code role}, {@code method}, {@code route} (the matched route template, e.g. {@code /v1/accounts/{uid}},
 * so ids never become series; {@code unmatched} for anything that matched no route) and {@code status}.
 * Recorded by Javalin's request logger after the response, on the HTTP worker thread.
 */
public final class HttpMetrics {

    private HttpMetrics() {
    }

    /** Installs the request timer on {@code cfg}; takes Javalin's one HTTP request logger. */
    public static void install(JavalinConfig cfg, MeterRegistry registry, String role) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(role, "role");
        cfg.requestLogger.http((ctx, millis) -> Timer.builder("magpie.http.requests")
                .description("HTTP requests by route and status")
                .tags("role", role, "method", ctx.method().name(), "route", route(ctx),
                        "status", Integer.toString(ctx.statusCode()))
                .register(registry)
                .record((long) (millis * 1_000_000.0), TimeUnit.NANOSECONDS));
    }

    private static String route(Context ctx) {
        if (ctx.statusCode() == 404) {
            return "unmatched";
        }
        try {
            String path = ctx.endpointHandlerPath();
            return path == null || path.isEmpty() ? "unmatched" : path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }
}
