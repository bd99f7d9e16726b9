package io.magpie.logic.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a repeated warning through at most once per interval, so a failing dependency (Redis behind the limiters)
 * is reported once a minute while it lasts instead of once per request. The first one always passes. Thread-safe.
 */
final class WarningThrottle {

    private static final long NEVER = Long.MIN_VALUE;

    private final Clock clock;
    private final long intervalMillis;
    private final AtomicLong lastMillis = new AtomicLong(NEVER);

    WarningThrottle(Clock clock, Duration interval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.intervalMillis = interval.toMillis();
    }

    /** Whether a warning may be logged now; if so, the next one waits an interval from now. */
    boolean due() {
        long now = clock.millis();
        long last = lastMillis.get();
        // NEVER is compared, not subtracted: now - Long.MIN_VALUE overflows and would never pass
        return (last == NEVER || now - last >= intervalMillis) && lastMillis.compareAndSet(last, now);
    }
}
