package io.magpie.logic.internal;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * Bounds how often an account and a source address may try to log in (and refresh tokens), checked
 * before any password hash is computed: each attempt costs a PBKDF2 run, so an unbounded endpoint is
 * both a password-guessing oracle and a CPU sink. Over a limit the request gets 429
 * {@code RATE_LIMITED} with a {@code Retry-After} header. Thread-safe.
 */
public interface LoginLimiter {

    /** Counts one attempt of the given kind; throws 429 when a bucket it falls in is over its limit. */
    void attempt(Context ctx, Kind kind, String account) throws ApiException;

    /** Which endpoint an attempt is made on; each has its own buckets. */
    enum Kind {
        /** POST /v1/sessions and the password change: per account and per address. */
        LOGIN,
        /** POST /v1/sessions/refresh: per address (a refresh costs no password hash). */
        REFRESH
    }

    /** No limits: for an API that runs without Redis (tests). */
    LoginLimiter UNLIMITED = (ctx, kind, account) -> { };

    /** The 429 answer, with Retry-After in whole seconds (at least 1). */
    static ApiException limited(Context ctx, String what, long limit, Duration window, long retryAfterMillis) {
        long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
        ctx.header("Retry-After", Long.toString(seconds));
        return new ApiException(429, "RATE_LIMITED", "too many attempts " + what + ": at most " + limit + " per "
                + window.toSeconds() + " s; try again in " + seconds + " s");
    }
}
