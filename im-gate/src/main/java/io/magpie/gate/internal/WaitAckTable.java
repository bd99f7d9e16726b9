package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PUSH frames one connection was sent and has not fully acknowledged (ARCHITECTURE §2 step 8,
 * issue 4 point 3, issue 8 point 3). Each PUSH is remembered under the (conversation, seq) of every
 * message in it; a PUSH_ACK naming a message clears it, and a PUSH whose messages are all cleared is
 * forgotten.
 *
 * <p>An unacknowledged PUSH is resent, the same {@link Frame} so the bytes are identical (the client
 * dedupes by conversation and seq), {@code ackTimeout} after its first send, then twice that after the
 * first resend, and so on (capped at {@link #MAX_BACKOFF}), at most {@code maxResends} times; one more
 * wait after the last resend and it is dropped: storage has the message, and the client PULLs it when
 * it sees the seq gap or reconnects. The resend times follow that schedule from the first send: a
 * timer that runs late does not push the later resends back. A resend is skipped (the attempt still
 * counts) while the channel is not writable: the original is still queued behind a slow reader. It is
 * skipped too while the client is catching up: it acknowledged a PUSH within the last {@code ackTimeout}
 * but none sent after this one, so the original is still on its way to it behind those (TCP keeps the
 * order), and a copy would only add to what the client is behind on. A client that is behind by more than
 * the timeout would otherwise get a copy of everything, and a busy group's members all at once.
 *
 * <p>Bounded: at most {@code maxEntries} PUSH frames and {@code maxBytes} bytes of them are kept; a new
 * one beyond either drops the oldest, which is counted, not resent again (the same recovery by PULL
 * applies). A message pushed again (a router retry) moves to the newer PUSH, so it is never resent
 * twice over.
 *
 * <p>One timer per connection, not one per PUSH: every PUSH waits in the queue of its resend count,
 * and since all of them follow the same schedule, each queue is in due order; the one timer is armed
 * for the earliest head. Track, ack and drop are O(1) (plus the message map); a timer run costs one
 * step per PUSH that fell due.
 *
 * <p>Confined to the connection's event loop: every method must be called on {@code executor}, and
 * the timer runs there. Nothing blocks. Lifecycle: created at a connection's first PUSH,
 * {@link #clear()} when the connection closes (timer cancelled, entries dropped, later pushes ignored).
 */
public final class WaitAckTable {

    /** The longest wait between two sends of one PUSH, whatever the doubling reaches. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(WaitAckTable.class);

    /**
     * @param ackTimeout wait for a PUSH_ACK before the first resend; doubles per resend
     * @param maxResends resends before an unacknowledged PUSH is dropped (0..62)
     * @param maxEntries PUSH frames kept at most; the oldest goes first
     * @param maxBytes   bytes (header and body) of the PUSH frames kept at most; the oldest goes first
     */
    public record Settings(Duration ackTimeout, int maxResends, int maxEntries, int maxBytes) {

        public Settings {
            Objects.requireNonNull(ackTimeout, "ackTimeout");
            if (ackTimeout.isNegative() || ackTimeout.isZero() || maxResends < 0 || maxResends > 62 || maxEntries < 1
                    || maxBytes < 1) {
                throw new IllegalArgumentException("wait-ACK settings out of range: ackTimeout " + ackTimeout
                        + " must be positive, maxResends " + maxResends + " 0..62, maxEntries " + maxEntries
                        + " >= 1, maxBytes " + maxBytes + " >= 1");
            }
        }
    }

    /** What the table tells the gate's meters. Called on the event loop; must not block. */
    public interface Events {
        /** Counts nothing. */
        Events NONE = new Events() {
        };

        /** A PUSH's last outstanding message was acknowledged, this long after its first write. */
        default void acked(long nanosSinceFirstSend) {
        }

        /** A PUSH was written again. */
        default void resent() {
        }

        /** A resend fell due and was not written; the attempt still counts. */
        default void resendSkipped(SkipReason reason) {
        }

        /** A PUSH was dropped unacknowledged after its last resend. */
        default void givenUp() {
        }
    }

    /** Why a resend that fell due was not written. */
    public enum SkipReason {
        /** The connection was over its high water mark: a copy would only add to what the client cannot read. */
        NOT_WRITABLE,
        /** The client was still acknowledging PUSHes sent before this one: the original is still on its way. */
        CATCHING_UP
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

    /** One PUSH frame waiting for acknowledgement, linked into the queue of its resend count. */
    private static final class Pending {
        final Frame frame;
        /**
         * The messages not acknowledged yet: the one {@link MessageKey} of the usual PUSH (every fan-out
         * delivery), null once acked, or a set for a PUSH of several. A set per PUSH per connection was ~6 % of
         * the gate's CPU in a group fan-out, beside the table's own 13 % (docs/benchmarks.md).
         */
        private Object outstanding;
        final long firstSentAtMillis;
        final long firstSentAtNanos;
        final long serial;
        final int bytes;
        int resends;
        long dueAtNanos;
        Pending prev;
        Pending next;
        boolean queued;

        Pending(Frame frame, Collection<MessageKey> keys, long firstSentAtMillis, long firstSentAtNanos, long serial,
                long dueAtNanos) {
            this.frame = frame;
            this.outstanding = keys.size() == 1 ? keys.iterator().next() : new HashSet<>(keys);
            this.firstSentAtMillis = firstSentAtMillis;
            this.firstSentAtNanos = firstSentAtNanos;
            this.serial = serial;
            this.bytes = Frame.HEADER_BYTES + frame.body().length;
            this.dueAtNanos = dueAtNanos;
        }

        /** The messages not acknowledged yet. */
        @SuppressWarnings("unchecked")
        Collection<MessageKey> outstanding() {
            return outstanding == null ? List.of()
                    : outstanding instanceof MessageKey key ? List.of(key) : (Set<MessageKey>) outstanding;
        }

        /** Marks {@code key} acknowledged (or moved to a newer PUSH); returns whether nothing is left. */
        boolean remove(MessageKey key) {
            if (outstanding instanceof MessageKey only) {
                if (only.equals(key)) {
                    outstanding = null;
                }
            } else if (outstanding instanceof Set<?> several) {
                several.remove(key);
                if (several.isEmpty()) {
                    outstanding = null;
                }
            }
            return outstanding == null;
        }
    }

    /** Whose table it is, for log lines (its prefix is built only when a line is logged). */
    private final Session session;
    private final Settings settings;
    private final Clock clock;
    private final Ticker ticker;
    private final EventExecutor executor;
    private final Output output;
    private final Events events;
    /** Queue i holds the PUSH frames resent i times, in due order (and first-sent order). */
    private final Pending[] heads;
    private final Pending[] tails;
    private final Map<MessageKey, Pending> byMessage = new HashMap<>();
    private ScheduledFuture<?> timer;
    private long timerDueAtNanos;
    private int size;
    private long bytes;
    private long serials;
    private boolean cleared;
    private long tracked;
    private long acked;
    private long resent;
    private long droppedAfterResends;
    private long droppedOverLimit;
    /** The newest PUSH (by serial) a PUSH_ACK cleared a message of, -1 before any; and when that ACK came. */
    private long newestAckedSerial = -1;
    private long lastAckNanos;

    /**
     * @param session   the connection's session, named in log lines (text prefix and JSON identity fields)
     * @param clock     ages of dropped entries in log lines
     * @param ticker    when resends fall due; must advance like {@code executor}'s scheduler
     * @param executor  the connection's event loop: the timer is scheduled on it
     * @param output    where resends are written
     */
    public WaitAckTable(Session session, Settings settings, Clock clock, Ticker ticker, EventExecutor executor,
            Output output) {
        this(session, settings, clock, ticker, executor, output, Events.NONE);
    }

    /** @param events told of acknowledgements (with their latency), resends, skipped resends and give-ups */
    public WaitAckTable(Session session, Settings settings, Clock clock, Ticker ticker, EventExecutor executor,
            Output output, Events events) {
        this.events = Objects.requireNonNull(events, "events");
        this.session = Objects.requireNonNull(session, "session");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.output = Objects.requireNonNull(output, "output");
        this.heads = new Pending[settings.maxResends() + 1];
        this.tails = new Pending[settings.maxResends() + 1];
    }

    /** Remembers {@code frame}, just written for the first time, until every one of {@code keys} is acked. */
    public void track(Frame frame, Collection<MessageKey> keys) {
        if (cleared || keys.isEmpty()) {
            return;
        }
        long now = ticker.nanoTime();
        Pending pending = new Pending(frame, keys, clock.millis(), now, serials++, now + backoffNanos(0));
        if (pending.outstanding instanceof MessageKey only) {
            waitFor(only, pending); // the usual PUSH of one message: no collection to walk
        } else {
            for (MessageKey key : pending.outstanding()) {
                waitFor(key, pending);
            }
        }
        append(pending);
        tracked++;
        while (size > settings.maxEntries() || bytes > settings.maxBytes()) {
            dropOldest();
        }
        arm();
    }

    /**
     * Clears the messages a PUSH_ACK names; a PUSH with nothing left outstanding is forgotten. Keys
     * that are not (or no longer) waiting are ignored.
     *
     * @return how many of {@code keys} were waiting
     */
    public int ack(Collection<MessageKey> keys) {
        long now = ticker.nanoTime(); // one read per PUSH_ACK: the acks' latencies and the client's last sign of life
        int waiting = 0;
        for (MessageKey key : keys) {
            Pending pending = byMessage.remove(key);
            if (pending == null) {
                continue;
            }
            waiting++;
            newestAckedSerial = Math.max(newestAckedSerial, pending.serial);
            if (pending.remove(key)) {
                unlink(pending);
                events.acked(now - pending.firstSentAtNanos);
            }
        }
        acked += waiting;
        if (waiting > 0) {
            lastAckNanos = now;
        }
        if (size == 0) {
            cancelTimer();
        }
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
        int left = size;
        cancelTimer();
        for (int i = 0; i < heads.length; i++) {
            heads[i] = null;
            tails[i] = null;
        }
        size = 0;
        bytes = 0;
        byMessage.clear();
        if (droppedAfterResends > 0 || droppedOverLimit > 0) {
            session.identify(log.atInfo()).log("{} closed; wait-ACK: {} push(es) still unacked, {} given up after {} resend(s), {} dropped over "
                    + "gate.max-unacked-pushes={} or gate.limits.max-unacked-bytes={}; the client recovers them by "
                    + "SYNC/PULL", session.logPrefix(), left, droppedAfterResends, settings.maxResends(), droppedOverLimit,
                    settings.maxEntries(), settings.maxBytes());
        } else if (left > 0) {
            if (log.isDebugEnabled()) {
                session.identify(log.atDebug()).log("{} closed with {} unacked push(es); dropped, storage has them",
                        session.logPrefix(), left);
            }
        }
    }

    /** PUSH frames waiting for acknowledgement. */
    public int size() {
        return size;
    }

    /** Bytes of the PUSH frames waiting for acknowledgement. */
    public long bytes() {
        return bytes;
    }

    /** Messages waiting for acknowledgement. */
    public int unackedMessages() {
        return byMessage.size();
    }

    /** Whether a timer is armed (at most one per table). */
    boolean timerArmed() {
        return timer != null;
    }

    public Stats stats() {
        return new Stats(tracked, acked, resent, droppedAfterResends, droppedOverLimit);
    }

    private void timerFired() {
        timer = null;
        if (cleared) {
            return;
        }
        long now = ticker.nanoTime();
        boolean wrote = false;
        for (Pending due = earliest(); due != null && due.dueAtNanos - now <= 0; due = earliest()) {
            if (due.resends >= settings.maxResends()) {
                forget(due);
                droppedAfterResends++;
                events.givenUp();
                if (log.isDebugEnabled()) {
                    session.identify(log.atDebug()).log("{} PUSH request={} ({} message(s) unacked) given up {} ms"
                            + " after the first send and {} resend(s); the client PULLs it on a gap or reconnect",
                            session.logPrefix(), due.frame.requestId(), due.outstanding().size(),
                            clock.millis() - due.firstSentAtMillis, due.resends);
                }
                continue;
            }
            unlink(due);
            due.resends++;
            due.dueAtNanos += backoffNanos(due.resends);
            append(due);
            if (!output.writable()) {
                events.resendSkipped(SkipReason.NOT_WRITABLE);
            } else if (catchingUp(due, now)) {
                events.resendSkipped(SkipReason.CATCHING_UP);
            } else {
                resent++;
                events.resent();
                output.write(due.frame);
                wrote = true;
            }
        }
        if (wrote) {
            output.flush(); // one flush for every resend of this run
        }
        arm();
    }

    /**
     * Whether the client is still working through PUSHes sent before {@code due}: it acknowledged one within the
     * last {@code ackTimeout}, and none sent after {@code due}.
     */
    private boolean catchingUp(Pending due, long now) {
        return newestAckedSerial >= 0 && newestAckedSerial < due.serial && now - lastAckNanos < backoffNanos(0);
    }

    /** The PUSH that falls due first: the earliest head of the per-resend-count queues. */
    private Pending earliest() {
        Pending first = null;
        for (Pending head : heads) {
            if (head != null && (first == null || head.dueAtNanos - first.dueAtNanos < 0)) {
                first = head;
            }
        }
        return first;
    }

    /** The PUSH sent first: each queue is in first-sent order, so it is one of the heads. */
    private Pending oldest() {
        Pending first = null;
        for (Pending head : heads) {
            if (head != null && (first == null || head.serial < first.serial)) {
                first = head;
            }
        }
        return first;
    }

    /** Keeps the one timer armed for the earliest due PUSH; none when nothing waits. */
    private void arm() {
        Pending first = earliest();
        if (first == null) {
            cancelTimer();
            return;
        }
        if (timer != null && timerDueAtNanos - first.dueAtNanos <= 0) {
            return; // fires no later than needed; it re-arms itself
        }
        cancelTimer();
        timerDueAtNanos = first.dueAtNanos;
        timer = executor.schedule(this::timerFired, Math.max(0, first.dueAtNanos - ticker.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void dropOldest() {
        forget(oldest());
        if (droppedOverLimit++ == 0) {
            session.identify(log.atInfo()).log("{} more than gate.max-unacked-pushes={} pushes or"
                    + " gate.limits.max-unacked-bytes={} bytes unacked: dropping the oldest (the client PULLs what it"
                    + " misses); further drops are counted and reported when the connection closes",
                    session.logPrefix(), settings.maxEntries(), settings.maxBytes());
        }
    }

    /** {@code key} now waits with {@code pending}; a newer PUSH of a message takes it from the older one. */
    private void waitFor(MessageKey key, Pending pending) {
        Pending earlier = byMessage.put(key, pending);
        // Pushed again (a router retry): only the newest PUSH of a message is resent.
        if (earlier != null && earlier.remove(key)) {
            forget(earlier);
        }
    }

    private void forget(Pending pending) {
        unlink(pending);
        for (MessageKey key : pending.outstanding()) {
            byMessage.remove(key, pending);
        }
    }

    private void append(Pending pending) {
        int level = pending.resends;
        pending.prev = tails[level];
        pending.next = null;
        if (tails[level] == null) {
            heads[level] = pending;
        } else {
            tails[level].next = pending;
        }
        tails[level] = pending;
        pending.queued = true;
        size++;
        bytes += pending.bytes;
    }

    private void unlink(Pending pending) {
        if (!pending.queued) {
            return;
        }
        int level = pending.resends;
        if (pending.prev == null) {
            heads[level] = pending.next;
        } else {
            pending.prev.next = pending.next;
        }
        if (pending.next == null) {
            tails[level] = pending.prev;
        } else {
            pending.next.prev = pending.prev;
        }
        pending.prev = null;
        pending.next = null;
        pending.queued = false;
        size--;
        bytes -= pending.bytes;
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
