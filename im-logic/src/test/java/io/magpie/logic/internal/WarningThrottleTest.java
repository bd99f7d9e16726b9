package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WarningThrottleTest {

    @Test
    void theFirstWarningPassesThenOneAMinute() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T08:00:00Z").toEpochMilli());
        WarningThrottle throttle = new WarningThrottle(clock, Duration.ofMinutes(1));
        assertTrue(throttle.due(), "the first failure is said at once (a real epoch time, not just after the epoch)");
        assertFalse(throttle.due());
        clock.advance(Duration.ofMillis(59_999));
        assertFalse(throttle.due(), "within the minute");
        clock.advance(Duration.ofMillis(1));
        assertTrue(throttle.due(), "a minute after the last one");
        assertFalse(throttle.due());
    }
}
