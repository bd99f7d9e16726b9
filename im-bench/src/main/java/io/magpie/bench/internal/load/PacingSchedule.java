package io.magpie.bench.internal.load;

/**
 * When each send of an open-loop run is due: send {@code i} (from 0) at {@code start + i * 1e9 / rate}
 * nanoseconds. The schedule never depends on how fast the server answers, which is what makes the
 * latency measured from {@link #intendedNanos(long)} free of coordinated omission: a stalled server
 * makes the pending sends late, and their lateness is counted. Immutable and thread-safe.
 */
public final class PacingSchedule {

    private final long startNanos;
    private final double ratePerSecond;
    private final long count;

    /**
     * @param startNanos    {@link System#nanoTime()} of send 0
     * @param ratePerSecond offered rate, &gt; 0
     * @param count         sends in the schedule (duration x rate), &gt;= 0
     */
    public PacingSchedule(long startNanos, double ratePerSecond, long count) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of messages per second, got "
                    + ratePerSecond);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        this.startNanos = startNanos;
        this.ratePerSecond = ratePerSecond;
        this.count = count;
    }

    /** A schedule at {@code rate} for {@code seconds}: {@code round(rate * seconds)} sends. */
    public static PacingSchedule forDuration(long startNanos, double ratePerSecond, double seconds) {
        return new PacingSchedule(startNanos, ratePerSecond, Math.round(ratePerSecond * seconds));
    }

    public long count() {
        return count;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public long startNanos() {
        return startNanos;
    }

    /** When send {@code index} is due. */
    public long intendedNanos(long index) {
        return startNanos + (long) (index * 1e9 / ratePerSecond);
    }

    /** How many sends are due at {@code nowNanos} (indices below the result), capped at {@link #count()}. */
    public long dueBy(long nowNanos) {
        if (nowNanos < startNanos) {
            return 0;
        }
        long due = (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
        // floating point may be off by one at an exact boundary: settle with intendedNanos, the source of truth
        while (due > 0 && intendedNanos(due - 1) > nowNanos) {
            due--;
        }
        while (due < count && intendedNanos(due) <= nowNanos) {
            due++;
        }
        return Math.min(due, count);
    }

    /** When the schedule ends (the instant the send after the last would be due). */
    public long endNanos() {
        return intendedNanos(count);
    }
}
