package io.magpie.router.notify.internal;

import java.time.Duration;

/**
 * How often and after which waits a failed notification is tried again: at most {@code maxAttempts}
 * attempts in all; after failed attempt n (1-based) the wait is {@code min * 2^(n-1)}, capped at
 * {@code max}. Deterministic (no jitter: one worker retrying a handful of notifications is no herd).
 * Immutable.
 */
public record RetryPolicy(int maxAttempts, Duration min, Duration max) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, got min " + min + ", max " + max);
        }
    }

    /** Whether another attempt is allowed after {@code failedAttempts} failed ones. */
    public boolean mayRetry(int failedAttempts) {
        return failedAttempts < maxAttempts;
    }

    /** The wait after {@code failedAttempts} (>= 1) failed attempts, before the next one. */
    public Duration delayAfter(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be >= 1, got " + failedAttempts);
        }
        long minMillis = min.toMillis();
        long maxMillis = max.toMillis();
        int shift = failedAttempts - 1;
        // min << shift without overflow: past the cap as soon as min > max >> shift
        if (shift >= 62 || minMillis > (maxMillis >> shift)) {
            return max;
        }
        return Duration.ofMillis(Math.min(maxMillis, minMillis << shift));
    }
}
