package io.magpie.protocol;

import java.time.Clock;
import java.time.Instant;

/**
 * Microseconds since the Unix epoch, the unit of a message's hop stamps ({@code HopTrace} in
 * internal.proto): milliseconds cannot tell apart the hops of one message, which take tens to hundreds
 * of microseconds each on one host.
 */
public final class EpochMicros {

    private EpochMicros() {
    }

    /** {@code clock}'s current instant in microseconds since the epoch. */
    public static long now(Clock clock) {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
