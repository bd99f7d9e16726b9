package io.magpie.bench.internal.load;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Drives an open loop on the calling thread: issues send {@code i} as soon as it is due by the
 * {@link PacingSchedule} (catching up in a burst when the thread was late, never skipping), starts the
 * measured window at its instant, and stops early only when more than {@code maxOutstanding} messages
 * are unfinished (the server fell so far behind that going on would only exhaust memory). Bounded by the
 * schedule: it returns once every send was issued or it stopped.
 */
public final class OpenLoop {

    /** How a drive ended. */
    public record Outcome(long issued, boolean aborted) {
    }

    private static final long MAX_PARK_NANOS = 1_000_000;

    private OpenLoop() {
    }

    /**
     * @param windowStartNanos when to call {@code onWindowStart} (once)
     * @param send             issues send number {@code i}; must not block
     * @param outstanding      unfinished messages right now
     */
    public static Outcome drive(PacingSchedule schedule, long windowStartNanos, Runnable onWindowStart,
                                LongConsumer send, LongSupplier outstanding, long maxOutstanding) {
        long next = 0;
        boolean windowStarted = false;
        long checkEvery = Math.max(1, (long) (schedule.ratePerSecond() / 100)); // ~ every 10 ms of sends
        long sinceCheck = 0;
        while (next < schedule.count()) {
            long now = System.nanoTime();
            if (!windowStarted && now >= windowStartNanos) {
                onWindowStart.run();
                windowStarted = true;
            }
            long due = schedule.dueBy(now);
            while (next < due) {
                send.accept(next++);
                if (++sinceCheck >= checkEvery) {
                    sinceCheck = 0;
                    if (outstanding.getAsLong() > maxOutstanding) {
                        if (!windowStarted) {
                            onWindowStart.run();
                        }
                        return new Outcome(next, true);
                    }
                }
            }
            if (next < schedule.count()) {
                long wait = schedule.intendedNanos(next) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
                }
            }
        }
        if (!windowStarted) {
            onWindowStart.run();
        }
        // the schedule's last send is issued; the window ends where the schedule does
        long tail = schedule.endNanos() - System.nanoTime();
        if (tail > 0) {
            LockSupport.parkNanos(tail);
        }
        return new Outcome(next, false);
    }
}
