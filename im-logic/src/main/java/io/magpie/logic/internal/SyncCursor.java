package io.magpie.logic.internal;

import io.magpie.idgen.SnowflakeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The version a SYNC_ACK hands back as the client's next {@code since_version}.
 *
 * <p>Conversation rows carry a user-scoped version that is a snowflake msg id (or a fresh snowflake
 * id for a setting change): ids rise with time, but not in commit order. A transaction that took its
 * version at t0 may commit after another one that took t1 > t0, and a client that synced in between
 * already holds a cursor past t0: a plain "version > cursor" would never return that row. So the
 * cursor of the LAST page of an answer is held back to the smallest id of "now minus the window"
 * ({@code logic.sync-version-window}): every row whose version was taken within the window is
 * returned again by the next SYNC (the client overwrites what it has: dedupe by conversation id),
 * and a row committed late is found as long as its write took less than the window (a slower one is
 * logged by {@link SlowWriteWarning}). Pages before the last one hand back their exact newest version,
 * so paging always moves forward and never loops.
 *
 * <p>Thread-safe (immutable; reads the clock).
 */
public final class SyncCursor {

    private static final int ID_SHIFT = SnowflakeId.WORKER_ID_BITS + SnowflakeId.SEQUENCE_BITS;

    private final Clock clock;
    private final Duration window;
    private final long epochMillis;

    /**
     * @param window        how far behind now the last page's cursor is held
     * @param snowflakeEpoch the epoch of the snowflake ids used as versions
     */
    public SyncCursor(Clock clock, Duration window, Instant snowflakeEpoch) {
        this.clock = clock;
        this.window = window;
        this.epochMillis = snowflakeEpoch.toEpochMilli();
    }

    /** The smallest snowflake id any writer could have taken at "now minus the window". */
    public long watermark() {
        long offset = clock.millis() - window.toMillis() - epochMillis;
        return offset <= 0 ? 0 : offset << ID_SHIFT;
    }

    /**
     * @param since          the client's {@code since_version}
     * @param newestReturned the highest version in this page ({@code since} when the page is empty)
     * @param hasMore        whether another page follows
     */
    public long next(long since, long newestReturned, boolean hasMore) {
        if (hasMore) {
            return newestReturned;
        }
        return Math.min(Math.max(since, newestReturned), watermark());
    }
}
