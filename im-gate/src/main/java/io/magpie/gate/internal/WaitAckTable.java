package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PUSH frames one connection was sent and has not fully acknowledged (ARCHITECTURE §2 step 8,
 * issue 4 point 3). Each PUSH is remembered under the (conversation, seq) of every message in it; a
 * PUSH_ACK naming a message clears it, and a PUSH whose messages are all cleared is forgotten.
 *
 * <p>An unacknowledged PUSH is resent, the same {@link Frame} so the bytes are identical (the client
 * dedupes by conversation and seq), after {@code ackTimeout}, then after twice that, and so on
 * (capped at {@link #MAX_BACKOFF}), at most {@code maxResends} times; one more wait after the last
 * resend and it is dropped: storage has the message, and the client PULLs it when it sees the seq gap
 * or reconnects. A resend is skipped (the attempt still counts) while the channel is not writable:
 * the original is still queued behind a slow reader, sending it again would only pile up.
 *
 * <p>At most {@code maxEntries} PUSH frames are kept; a new one beyond that drops the oldest, which is
 * counted, not resent again (the same recovery by PULL applies). A slow consumer is not disconnected
 * for it: closing would make a flaky mobile link reconnect, sync and pull everything again, which costs
 * more than the pull of what was dropped. A message pushed again (a router retry) moves to the newer
 * PUSH, so it is never resent twice over.
 *
 * <p>Confined to the connection's event loop: every method must be called on {@code executor}, and
 * the timers run there. Nothing blocks. Lifecycle: created at a connection's first PUSH,
 * {@link #clear()} when the connection closes (timers cancelled, entries dropped, later pushes ignored).
 */
public final class WaitAckTable {

    /** The longest wait between two sends of one PUSH, whatever the doubling reaches. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(WaitAckTable.class);

    /**
     * @param ackTimeout wait for a PUSH_ACK before the first resend; doubles per resend
     * @param maxResends resends before an unacknowledged PUSH is dropped
     * @param maxEntries PUSH frames kept at most; the oldest goes first
     */
    public record Settings(Duration ackTimeout, int maxResends, int maxEntries) {

        public Settings {
            Objects.requireNonNull(ackTimeout, "ackTimeout");
            if (ackTimeout.isNegative() || ackTimeout.isZero() || maxResends < 0 || maxEntries < 1) {
                throw new IllegalArgumentException("wait-ACK settings out of range: ackTimeout " + ackTimeout
                        + " must be positive, maxResends " + maxResends + " >= 0, maxEntries " + maxEntries + " >= 1");
            }
        }
    }

    /** Where resends go: the connection's pipeline below the table. Called on the event loop only. */
    public interface Output {

        /** Writes {@code frame} again, without a flush. */
        void write(Frame frame);

        /** Flushes what {@link #write} queued. */
        void flush();

        /** Whether the connection takes more output now. */
        boolean writable();
    }

    /** Counts over the connection's life, for the log line at close and for tests. */
    public record Stats(long tracked, long acked, long resent, long droppedAfterResends, long droppedOverLimit) {
    }

    /** One PUSH frame waiting for acknowledgement; its own timer task. */
    private final class Pending implements Runnable {
        final Frame frame;
        final Set<MessageKey> outstanding;
        final long firstSentAtMillis;
        int resends;
        ScheduledFuture<?> timer;

        Pending(Frame frame, Collection<MessageKey> keys, long firstSentAtMillis) {
            this.frame = frame;
            this.outstanding = new HashSet<>(keys);
            this.firstSentAtMillis = firstSentAtMillis;
        }

        @Override
        public void run() {
            timedOut(this);
        }
    }

    private final String logPrefix;
    private final Settings settings;
    private final Clock clock;
    private final EventExecutor executor;
    private final Output output;
    /** In first-sent order, so the oldest is first when the table is full. */
    private final LinkedHashSet<Pending> entries = new LinkedHashSet<>();
    private final Map<MessageKey, Pending> byMessage = new HashMap<>();
    private boolean flushRequested;
    private boolean cleared;
    private long tracked;
    private long acked;
    private long resent;
    private long droppedAfterResends;
    private long droppedOverLimit;

    /**
     * @param logPrefix identity of the connection for log lines
     * @param clock     ages of dropped entries in log lines
     * @param executor  the connection's event loop: timers are scheduled on it
     * @param output    where resends are written
     */
    public WaitAckTable(String logPrefix, Settings settings, Clock clock, EventExecutor executor, Output output) {
        this.logPrefix = Objects.requireNonNull(logPrefix, "logPrefix");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.output = Objects.requireNonNull(output, "output");
    }

    /** Remembers {@code frame}, just written for the first time, until every one of {@code keys} is acked. */
    public void track(Frame frame, Collection<MessageKey> keys) {
        if (cleared || keys.isEmpty()) {
            return;
        }
        Pending pending = new Pending(frame, keys, clock.millis());
        for (MessageKey key : pending.outstanding) {
            Pending earlier = byMessage.put(key, pending);
            if (earlier != null) {
                // Pushed again (a router retry): only the newest PUSH of a message is resent.
                earlier.outstanding.remove(key);
                if (earlier.outstanding.isEmpty()) {
                    forget(earlier);
                }
            }
        }
        entries.add(pending);
        tracked++;
        pending.timer = schedule(pending);
        if (entries.size() > settings.maxEntries()) {
            dropOldest();
        }
    }

    /**
     * Clears the messages a PUSH_ACK names; a PUSH with nothing left outstanding is forgotten. Keys
     * that are not (or no longer) waiting are ignored.
     *
     * @return how many of {@code keys} were waiting
     */
    public int ack(Collection<MessageKey> keys) {
        int waiting = 0;
        for (MessageKey key : keys) {
            Pending pending = byMessage.remove(key);
            if (pending == null) {
                continue;
            }
            waiting++;
            pending.outstanding.remove(key);
            if (pending.outstanding.isEmpty()) {
                entries.remove(pending);
                pending.timer.cancel(false);
            }
        }
        acked += waiting;
        return waiting;
    }

    /**
     * Drops everything (the connection closed: storage has the messages, the next session syncs) and
     * ignores later pushes. Idempotent.
     */
    public void clear() {
        if (cleared) {
            return;
        }
        cleared = true;
        int left = entries.size();
        for (Pending pending : entries) {
            pending.timer.cancel(false);
        }
        entries.clear();
        byMessage.clear();
        if (droppedAfterResends > 0 || droppedOverLimit > 0) {
            log.info("{} closed; wait-ACK: {} push(es) still unacked, {} given up after {} resend(s), {} dropped over "
                    + "gate.max-unacked-pushes={}; the client recovers them by SYNC/PULL", logPrefix, left,
                    droppedAfterResends, settings.maxResends(), droppedOverLimit, settings.maxEntries());
        } else if (left > 0) {
            log.debug("{} closed with {} unacked push(es); dropped, storage has them", logPrefix, left);
        }
    }

    /** PUSH frames waiting for acknowledgement. */
    public int size() {
        return entries.size();
    }

    /** Messages waiting for acknowledgement. */
    public int unackedMessages() {
        return byMessage.size();
    }

    public Stats stats() {
        return new Stats(tracked, acked, resent, droppedAfterResends, droppedOverLimit);
    }

    private void timedOut(Pending pending) {
        if (cleared || !entries.contains(pending)) {
            return;
        }
        if (pending.resends >= settings.maxResends()) {
            forget(pending);
            droppedAfterResends++;
            log.debug("{} PUSH request={} ({} message(s) unacked) given up {} ms after the first send and {} "
                    + "resend(s); the client PULLs it on a gap or reconnect", logPrefix, pending.frame.requestId(),
                    pending.outstanding.size(), clock.millis() - pending.firstSentAtMillis, pending.resends);
            return;
        }
        pending.resends++;
        if (output.writable()) {
            resent++;
            output.write(pending.frame);
            requestFlush();
        }
        pending.timer = schedule(pending);
    }

    /** One flush after every resend that falls due in the same event-loop turn. */
    private void requestFlush() {
        if (flushRequested) {
            return;
        }
        flushRequested = true;
        executor.execute(() -> {
            flushRequested = false;
            output.flush();
        });
    }

    private void dropOldest() {
        Iterator<Pending> oldest = entries.iterator();
        Pending pending = oldest.next();
        forget(pending);
        if (droppedOverLimit++ == 0) {
            log.info("{} more than gate.max-unacked-pushes={} pushes unacked: dropping the oldest (the client PULLs "
                    + "what it misses); further drops are counted and reported when the connection closes",
                    logPrefix, settings.maxEntries());
        }
    }

    private void forget(Pending pending) {
        entries.remove(pending);
        if (pending.timer != null) {
            pending.timer.cancel(false);
        }
        for (MessageKey key : pending.outstanding) {
            byMessage.remove(key, pending);
        }
    }

    private ScheduledFuture<?> schedule(Pending pending) {
        return executor.schedule(pending, backoffNanos(pending.resends), TimeUnit.NANOSECONDS);
    }

    /** ackTimeout x 2^resends, capped: the wait after the first send and after each resend. */
    private long backoffNanos(int resends) {
        long base = settings.ackTimeout().toNanos();
        long cap = MAX_BACKOFF.toNanos();
        if (base >= cap) {
            return base;
        }
        if (resends >= 62 || base > (cap >> resends)) {
            return cap;
        }
        return base << resends;
    }
}
