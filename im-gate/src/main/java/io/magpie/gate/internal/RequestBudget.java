package io.magpie.gate.internal;

/**
 * One token bucket of a connection ({@code rate} per second, at most {@code burst} at once), kept as a
 * single number: the generic cell rate algorithm's theoretical arrival time. A request is allowed when
 * the bucket holds a token; a refused one is told how long until it would. Hand-written rather than
 * a library bucket because every connection has four of these and the gate counts its heap per
 * connection (docs/benchmarks.md): this is one long each. Not thread-safe: confined to the
 * connection's event loop.
 */
final class RequestBudget {

    private final long intervalNanos;
    private final long toleranceNanos;
    /** When the bucket would be full again if nothing more were taken; the GCRA's TAT. */
    private long theoreticalArrival;
    private boolean started;

    /**
     * @param perSecond tokens added per second, &gt; 0
     * @param burst     tokens held at most, &gt;= 1
     */
    RequestBudget(int perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("a budget needs perSecond > 0 and burst >= 1, got " + perSecond
                    + "/s burst " + burst);
        }
        this.intervalNanos = Math.max(1, 1_000_000_000L / perSecond);
        this.toleranceNanos = intervalNanos * (burst - 1L);
    }

    /**
     * Takes a token at {@code nowNanos}.
     *
     * @return 0 when taken; otherwise the nanoseconds until a token is there (nothing was taken)
     */
    long take(long nowNanos) {
        long arrival = !started || theoreticalArrival - nowNanos < 0 ? nowNanos : theoreticalArrival;
        long wait = arrival - toleranceNanos - nowNanos;
        if (wait > 0) {
            return wait;
        }
        started = true;
        theoreticalArrival = arrival + intervalNanos;
        return 0;
    }
}
