package io.magpie.http;

import io.javalin.config.JavalinConfig;
import io.magpie.http.internal.BodyLimitFilter;
import io.magpie.http.internal.BodyTooLargeException;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.servlet.FilterHolder;

/**
 * The request body limit of every HTTP listener we run (account API, LSB, health). A body over
 * {@code maxBytes} is refused with 413 {@code {"code":"PAYLOAD_TOO_LARGE","message":...}} and the
 * connection is closed, whether the client declared its length or sent it chunked: a declared
 * {@code Content-Length} over the limit is refused before any of the body is read; a body without one is
 * counted as it is read and refused on the first byte past the limit, so at most {@code maxBytes} of it
 * are ever held. A route that never reads its body never buffers it (Jetty discards it, or closes the
 * connection when it does not end).
 *
 * <p>Why not the libraries': Javalin 6.7's {@code http.maxRequestSize} checks only {@code Content-Length}
 * (a chunked body is read whole into memory, javalin/javalin#2416, fixed after 6.7.0), and Jetty 11
 * has no {@code SizeLimitHandler} (Jetty 12 has). This sets {@code maxRequestSize} too, so Javalin's own
 * check agrees. Stateless; call once per server while it is configured.
 */
public final class BodyLimit {

    /** The JSON bodies of our APIs are well under 1 KiB; 64 KiB leaves room without inviting abuse. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;

    private BodyLimit() {
    }

    /**
     * Limits every request body of the server {@code cfg} configures to {@code maxBytes}.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public static void install(JavalinConfig cfg, int maxBytes) {
        install(cfg, maxBytes, Map.of());
    }

    /**
     * Like {@link #install(JavalinConfig, int)}, with larger limits for a few exact paths (an upload route):
     * a request to a path in {@code largerLimits} may carry up to that many bytes; the route itself must then
     * bound what it keeps (it reads the body as a stream, not into one array).
     *
     * @throws IllegalArgumentException if a limit is below 1 byte or a larger limit is not larger
     */
    public static void install(JavalinConfig cfg, int maxBytes, Map<String, Long> largerLimits) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the HTTP body limit must be at least 1 byte, got " + maxBytes);
        }
        largerLimits.forEach((path, limit) -> {
            if (limit <= maxBytes) {
                throw new IllegalArgumentException("the body limit of " + path + " (" + limit
                        + " bytes) must be larger than the server's " + maxBytes + " bytes");
            }
        });
        cfg.http.maxRequestSize = maxBytes;
        Map<String, Long> larger = Map.copyOf(largerLimits);
        cfg.jetty.modifyServletContextHandler(handler -> handler.addFilter(
                new FilterHolder(new BodyLimitFilter(maxBytes, larger)), "/*", EnumSet.of(DispatcherType.REQUEST)));
        // the filter's stream throws this from inside a route; answered here, not as a 500 by a catch-all
        cfg.router.mount(router -> router.exception(BodyTooLargeException.class, (e, ctx) -> {
            ctx.status(413).header("Connection", "close").contentType("application/json")
                    .result(BodyLimitFilter.errorJson(e.getMessage()));
        }));
    }
}
