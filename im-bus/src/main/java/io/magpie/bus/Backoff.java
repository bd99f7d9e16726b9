package io.magpie.bus;

import java.time.Duration;

/**
 * Exponential backoff between retries of a failed batch: min, 2*min, 4*min... up to max, back to
 * min after a success. Not thread-safe: owned by one consumer thread.
 */
public final class Backoff {

    private final long minMillis;
    private final long maxMillis;
    private long next;

    public Backoff(Duration min, Duration max) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
        this.next = minMillis;
    }

    /** The wait before the next retry; each call doubles the following one, up to the max. */
    public long nextDelayMillis() {
        long delay = next;
        next = Math.min(maxMillis, next * 2);
        return delay;
    }

    public void reset() {
        next = minMillis;
    }
}
