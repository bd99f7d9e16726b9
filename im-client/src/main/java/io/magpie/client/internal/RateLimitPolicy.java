package io.magpie.client.internal;

import java.time.Duration;

/**
 * How a connection answers ERROR {@code RATE_LIMITED} to one of its requests: resend it at most
 * {@code maxRetries} times, each after the gate's {@code retry_after_ms}, or after a delay drawn from
 * {@code fallback} (attempt = refusals so far) when the gate gave none (an older gate). Immutable.
 *
 * @param maxRetries {@link io.magpie.client.ClientConfig#rateLimitRetries()}, 0..100
 * @param fallback   the delay when the ERROR carries no retry-after
 */
public record RateLimitPolicy(int maxRetries, ReconnectBackoff fallback) {

    public RateLimitPolicy {
        if (maxRetries < 0 || maxRetries > 100) {
            throw new IllegalArgumentException("rate-limit retries must be 0..100, got " + maxRetries);
        }
        if (fallback == null) {
            throw new IllegalArgumentException("a fallback backoff is required");
        }
    }

    /** {@link io.magpie.client.ClientConfig}'s defaults: 3 resends, 200 ms doubling to 10 s without advice. */
    public static RateLimitPolicy defaults() {
        return new RateLimitPolicy(3, new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(10)));
    }

    /** The wait before resend number {@code refusals + 1}: the gate's advice, else the fallback's. */
    Duration delay(Duration retryAfter, int refusals) {
        return retryAfter.isZero() ? fallback.delay(Math.min(refusals, 30)).plusMillis(1) : retryAfter;
    }
}
