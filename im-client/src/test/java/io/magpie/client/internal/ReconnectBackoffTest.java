package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private static final Duration BASE = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(10);

    @Test
    void theBoundDoublesPerAttemptUpToTheMax() {
        ReconnectBackoff b = new ReconnectBackoff(BASE, MAX, () -> 0.0);

        assertEquals(200, b.boundMillis(0));
        assertEquals(400, b.boundMillis(1));
        assertEquals(800, b.boundMillis(2));
        assertEquals(6400, b.boundMillis(5));
        assertEquals(10_000, b.boundMillis(6));
        assertEquals(10_000, b.boundMillis(61));
        assertEquals(10_000, b.boundMillis(62));
        assertEquals(10_000, b.boundMillis(Integer.MAX_VALUE), "no overflow for a client retrying for days");
    }

    @Test
    void fullJitterSpansZeroToTheBound() {
        assertEquals(Duration.ZERO, new ReconnectBackoff(BASE, MAX, () -> 0.0).delay(3));
        assertEquals(Duration.ofMillis(1600), new ReconnectBackoff(BASE, MAX, () -> 0.9999999).delay(3));
        assertEquals(Duration.ofMillis(800), new ReconnectBackoff(BASE, MAX, () -> 0.5).delay(3));
        assertEquals(Duration.ofMillis(10_000), new ReconnectBackoff(BASE, MAX, () -> 1.0).delay(40),
                "even a random source returning 1.0 stays within the max");
    }

    @Test
    void delaysAreBoundedAndSpreadOut() {
        Random random = new Random(42);
        ReconnectBackoff b = new ReconnectBackoff(BASE, MAX, random::nextDouble);
        for (int attempt = 0; attempt < 20; attempt++) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long d = b.delay(attempt).toMillis();
                assertTrue(d >= 0 && d <= b.boundMillis(attempt), "attempt " + attempt + " gave " + d);
                seen.add(d);
            }
            assertTrue(seen.size() > 50, "200 clients of attempt " + attempt + " must not retry in lock-step: "
                    + seen.size() + " distinct delays");
        }
    }

    @Test
    void rejectsABaseAboveTheMax() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReconnectBackoff(Duration.ofSeconds(20), MAX));
        assertTrue(e.getMessage().contains("base"));
    }
}
