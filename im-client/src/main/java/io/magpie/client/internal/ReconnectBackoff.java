package io.magpie.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the delay before reconnect attempt {@code n} (0-based) is
 * uniform in {@code [0, min(max, base * 2^n)]}. Full jitter spreads thousands of clients that lost the
 * same gate at the same instant over the whole interval instead of having them retry in waves.
 * Immutable and thread-safe when the random source is.
 */
public final class ReconnectBackoff {

    private final long baseMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    /** @param random uniform values in [0, 1) */
    public ReconnectBackoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, got base " + base + ", max " + max);
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    public ReconnectBackoff(Duration base, Duration max) {
        this(base, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** Upper bound of the delay for attempt {@code n}: {@code min(max, base * 2^n)}, without overflow. */
    public long boundMillis(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, got " + attempt);
        }
        if (attempt >= 62 || baseMillis > (maxMillis >> Math.min(attempt, 62))) {
            return maxMillis;
        }
        return Math.min(maxMillis, baseMillis << attempt);
    }

    /** A delay drawn uniformly from {@code [0, boundMillis(attempt)]}. */
    public Duration delay(int attempt) {
        long bound = boundMillis(attempt);
        double r = random.getAsDouble();
        long millis = (long) Math.floor(Math.max(0.0, Math.min(1.0, r)) * (bound + 1));
        return Duration.ofMillis(Math.min(millis, bound));
    }
}
