package io.magpie.router.notify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void waitsDoubleAfterEachFailedAttemptUpToTheCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(500), Duration.ofSeconds(5));

        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 5000L, 5000L),
                IntStream.rangeClosed(1, 6).mapToObj(n -> p.delayAfter(n).toMillis()).toList());
    }

    @Test
    void aVeryLateAttemptDoesNotOverflowPastTheCap() {
        RetryPolicy p = new RetryPolicy(100, Duration.ofMillis(3), Duration.ofMinutes(5));

        assertEquals(Duration.ofMinutes(5), p.delayAfter(70));
        assertEquals(Duration.ofMinutes(5), p.delayAfter(Integer.MAX_VALUE));
    }

    @Test
    void theNumberOfAttemptsIsBounded() {
        RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1));

        assertTrue(p.mayRetry(1));
        assertTrue(p.mayRetry(2));
        assertFalse(p.mayRetry(3), "three attempts in all");
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(1, Duration.ZERO, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)).delayAfter(0));
    }
}
