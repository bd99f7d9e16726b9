package io.magpie.bench.internal.load;

import java.time.Instant;

/**
 * Ties this process's {@link System#nanoTime()} to the wall clock at one instant, so an instant of the
 * monotonic clock can be written as epoch microseconds (which another process on the same host reads on
 * the same clock) and back. Taken once per run: the two clocks drift apart by far less than a millisecond
 * over a run of minutes. Immutable.
 *
 * @param epochMicros the wall clock at {@code nanos}, microseconds since the epoch
 * @param nanos       {@link System#nanoTime()} at the same instant
 */
public record WallClock(long epochMicros, long nanos) {

    /** The anchor now. */
    public static WallClock now() {
        long n = System.nanoTime();
        return new WallClock(epochMicrosNow(), n);
    }

    /** The wall clock now, in microseconds since the epoch (microsecond resolution on Linux). */
    public static long epochMicrosNow() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    public long toEpochMicros(long nanoTime) {
        return epochMicros + Math.floorDiv(nanoTime - nanos, 1_000L);
    }

    public long toNanos(long epochMicrosValue) {
        return nanos + (epochMicrosValue - epochMicros) * 1_000L;
    }
}
