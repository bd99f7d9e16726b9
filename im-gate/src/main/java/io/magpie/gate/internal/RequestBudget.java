package io.magpie.gate.internal;

/**
 * One kind of token bucket of a connection ({@code rate} per second, at most {@code burst} at once), by the
 * generic cell rate algorithm: a bucket's whole state is one number, its theoretical arrival time (TAT). The rule
 * is immutable and shared by every connection of a gate; each connection keeps its TATs, in fields or a
 * {@code long[]} ({@link #FULL} for a bucket never taken from). Hand-written rather than a library bucket because every
 * connection has five of these and the gate counts its heap per connection (docs/benchmarks.md): this is
 * eight bytes each. The state is the caller's to keep, on its connection's event loop.
 */
final class RequestBudget {

    /** The state of a bucket never taken from: full. */
    static final long FULL = Long.MIN_VALUE;

    private final long intervalNanos;
    private final long toleranceNanos;

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

    /** A state array of {@code buckets} full buckets. */
    static long[] fullBuckets(int buckets) {
        long[] tats = new long[buckets];
        java.util.Arrays.fill(tats, FULL);
        return tats;
    }

    /**
     * Takes a token at {@code nowNanos} from the bucket whose state is {@code tats[slot]}.
     *
     * @return 0 when taken (the state moved on); otherwise the nanoseconds until a token is there (nothing
     *         was taken, the state is unchanged)
     */
    long take(long[] tats, int slot, long nowNanos) {
        long wait = waitNanos(tats[slot], nowNanos);
        if (wait == 0) {
            tats[slot] = taken(tats[slot], nowNanos);
        }
        return wait;
    }

    /** The nanoseconds until the bucket whose state is {@code tat} has a token at {@code nowNanos}; 0 = now. */
    long waitNanos(long tat, long nowNanos) {
        return Math.max(0, arrival(tat, nowNanos) - toleranceNanos - nowNanos);
    }

    /** The state after a token is taken at {@code nowNanos} (when {@link #waitNanos} said 0). */
    long taken(long tat, long nowNanos) {
        return arrival(tat, nowNanos) + intervalNanos;
    }

    private static long arrival(long tat, long nowNanos) {
        return tat == FULL || tat - nowNanos < 0 ? nowNanos : tat;
    }
}
