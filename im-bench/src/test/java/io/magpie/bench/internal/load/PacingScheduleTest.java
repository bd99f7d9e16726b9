package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacingScheduleTest {

    @Test
    void sendsAreSpacedByOneOverTheRateFromTheStart() {
        PacingSchedule s = new PacingSchedule(1_000, 1000, 5);
        assertEquals(1_000, s.intendedNanos(0));
        assertEquals(1_000 + 1_000_000, s.intendedNanos(1));
        assertEquals(1_000 + 4_000_000, s.intendedNanos(4));
        assertEquals(1_000 + 5_000_000, s.endNanos());
    }

    @Test
    void dueCountsEverySendWhoseTimeHasComeIncludingTheExactInstant() {
        PacingSchedule s = new PacingSchedule(0, 1000, 10);
        assertEquals(0, s.dueBy(-1));
        assertEquals(1, s.dueBy(0));
        assertEquals(1, s.dueBy(999_999));
        assertEquals(2, s.dueBy(1_000_000));
        assertEquals(4, s.dueBy(3_500_000));
    }

    @Test
    void aLateGeneratorFindsEveryMissedSendDueAtOnceAndNeverMoreThanTheSchedule() {
        PacingSchedule s = new PacingSchedule(0, 100, 50);
        // 200 ms late: 21 sends (0 ms .. 200 ms) are due together, none skipped
        assertEquals(21, s.dueBy(200_000_000));
        assertEquals(50, s.dueBy(60_000_000_000L));
    }

    @Test
    void theScheduleDoesNotDependOnAnythingButStartRateAndIndex() {
        PacingSchedule s = new PacingSchedule(7, 3, 1000);
        for (long i = 0; i < 1000; i++) {
            assertTrue(s.intendedNanos(i + 1) > s.intendedNanos(i));
            assertEquals(i + 1, s.dueBy(s.intendedNanos(i)), "send " + i + " is due at its own instant");
        }
    }

    @Test
    void forDurationRoundsRateTimesSeconds() {
        assertEquals(25_000, PacingSchedule.forDuration(0, 1000, 25).count());
        assertEquals(3, PacingSchedule.forDuration(0, 2.5, 1.2).count());
    }

    @Test
    void refusesANonPositiveRateNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PacingSchedule(0, 0, 1));
        assertTrue(e.getMessage().contains("rate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PacingSchedule(0, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new PacingSchedule(0, 10, -1));
    }
}
