package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.idgen.SnowflakeConfig;
import io.magpie.idgen.SnowflakeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SyncCursorTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final SnowflakeConfig SNOWFLAKE = SnowflakeConfig.defaults();
    private final SyncCursor cursor = new SyncCursor(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30),
            SNOWFLAKE.epoch());

    @Test
    void theWatermarkIsTheSmallestIdOfNowMinusTheWindow() {
        SnowflakeId w = SnowflakeId.parse(cursor.watermark(), SNOWFLAKE);
        assertEquals(NOW.minusSeconds(30).toEpochMilli(), w.timestampMillis());
        assertEquals(0, w.workerId());
        assertEquals(0, w.sequence());
    }

    @Test
    void theLastPageHoldsTheCursorBackSoALateCommitWithAnOlderVersionIsReturnedNextTime() {
        long recent = idAt(NOW.minusSeconds(1));
        long old = idAt(NOW.minusSeconds(600));

        assertEquals(cursor.watermark(), cursor.next(0, recent, false));
        // a version written 1 s ago but committed after this SYNC is still above the cursor
        assertEquals(true, idAt(NOW.minusSeconds(2)) > cursor.next(0, recent, false));
        // changes older than the window move the cursor all the way
        assertEquals(old, cursor.next(0, old, false));
        assertEquals(old, cursor.next(old, old, false));
    }

    @Test
    void pagesBeforeTheLastMoveExactlyToTheirNewestVersionSoPagingNeverLoops() {
        long recent = idAt(NOW.minusSeconds(1));
        assertEquals(recent, cursor.next(5, recent, true));
    }

    @Test
    void beforeTheEpochPlusTheWindowTheWatermarkIsZero() {
        SyncCursor early = new SyncCursor(Clock.fixed(SNOWFLAKE.epoch().plusSeconds(10), ZoneOffset.UTC),
                Duration.ofSeconds(30), SNOWFLAKE.epoch());
        assertEquals(0, early.watermark());
    }

    private static long idAt(Instant t) {
        return (t.toEpochMilli() - SNOWFLAKE.epoch().toEpochMilli()) << 22 | 5L << 12 | 7;
    }
}
