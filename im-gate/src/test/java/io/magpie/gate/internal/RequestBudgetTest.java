package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestBudgetTest {

    private static final long T0 = 5_000_000_000L;

    @Test
    void holdsTheBurstAndRefillsAtTheRate() {
        RequestBudget budget = new RequestBudget(10, 3);
        long[] state = RequestBudget.fullBuckets(2);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, budget.take(state, 1, T0), "token " + i + " of the burst");
        }
        assertEquals(Duration.ofMillis(100).toNanos(), budget.take(state, 1, T0), "empty: the next token in 1/10 s");
        assertEquals(0, budget.take(state, 1, T0 + Duration.ofMillis(100).toNanos()));
        // idle for long: the bucket fills up to the burst, never more
        long later = T0 + Duration.ofMinutes(1).toNanos();
        for (int i = 0; i < 3; i++) {
            assertEquals(0, budget.take(state, 1, later));
        }
        assertEquals(Duration.ofMillis(100).toNanos(), budget.take(state, 1, later));
    }

    @Test
    void aRefusedRequestTakesNothing() {
        RequestBudget budget = new RequestBudget(1, 1);
        long[] state = RequestBudget.fullBuckets(2);
        assertEquals(0, budget.take(state, 1, T0));
        for (int i = 0; i < 100; i++) {
            budget.take(state, 1, T0);
        }
        assertEquals(0, budget.take(state, 1, T0 + Duration.ofSeconds(1).toNanos()), "refusals did not push the refill back");
        assertEquals(RequestBudget.FULL, state[0], "one bucket's takes leave the others alone");
    }
}
