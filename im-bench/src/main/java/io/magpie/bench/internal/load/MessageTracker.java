package io.magpie.bench.internal.load;

import io.magpie.client.RequestTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Follows every message of a run from send to SEND_ACK to each expected delivery, so nothing goes
 * unaccounted: latencies are recorded for messages whose origin lies in the measured window,
 * deliveries are counted when they happen inside it, and whatever was acknowledged but not delivered
 * when the run ends is reported as lost.
 *
 * <p>A message's latency origin is its intended send time in an open loop (coordinated-omission free)
 * and its actual send time in a closed loop. A message is "settled" once: fully delivered, failed, or
 * not delivered within the delivery timeout; {@code onSettled} then runs (a closed loop refills its
 * in-flight slot there).
 *
 * <p>Thread-safe: sends, acks and deliveries arrive on many event loops.
 */
public final class MessageTracker {

    /** One message in flight. */
    public static final class Track {
        final long key;
        final int sender;
        final long originNanos;
        final int expectedDeliveries;
        final boolean measured;
        volatile long sentNanos;
        volatile boolean acked;
        volatile boolean failed;
        final AtomicInteger delivered = new AtomicInteger();
        /** The latest arrival so far at any recipient: the arrival at the last member once all are in. */
        final java.util.concurrent.atomic.AtomicLong lastArrivalNanos = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
        final AtomicBoolean settled = new AtomicBoolean();

        Track(long key, int sender, long originNanos, int expectedDeliveries, boolean measured) {
            this.key = key;
            this.sender = sender;
            this.originNanos = originNanos;
            this.expectedDeliveries = expectedDeliveries;
            this.measured = measured;
        }

        public long key() {
            return key;
        }

        public int sender() {
            return sender;
        }

        /** True when the message's origin lies in the measured window (decided when it was registered). */
        public boolean measured() {
            return measured;
        }

        /** True when the send failed (error or no SEND_ACK in time). */
        public boolean failed() {
            return failed;
        }
    }

    private final ConcurrentHashMap<Long, Track> open = new ConcurrentHashMap<>();
    private final LatencyRecorder deliveryLatency = new LatencyRecorder();
    private final LatencyRecorder lastDeliveryLatency = new LatencyRecorder();
    private final LatencyRecorder deliveryFromSend = new LatencyRecorder();
    private final LatencyRecorder sendDelay = new LatencyRecorder();
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder deliveriesInWindow = new LongAdder();
    private final LongAdder completedInWindow = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final ErrorTally errorCodes = new ErrorTally();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder unexpectedDeliveries = new LongAdder();
    private final Consumer<Track> onSettled;
    private volatile long windowStartNanos = Long.MAX_VALUE;
    private volatile long windowEndNanos = Long.MAX_VALUE;

    /** @param onSettled runs once per message when it is settled (on the thread that settled it) */
    public MessageTracker(Consumer<Track> onSettled) {
        this.onSettled = onSettled;
    }

    /** Starts the measured window: messages with an origin from now on are measured. */
    public void startWindow(long nowNanos) {
        windowStartNanos = nowNanos;
    }

    /** Ends the measured window: later origins and deliveries no longer count. */
    public void endWindow(long nowNanos) {
        windowEndNanos = nowNanos;
    }

    public boolean inWindow(long nanos) {
        return nanos >= windowStartNanos && nanos < windowEndNanos;
    }

    /** Registers a message before it is sent. Keys must be unique within the run. */
    public Track register(long key, int sender, long originNanos, int expectedDeliveries) {
        Track t = new Track(key, sender, originNanos, expectedDeliveries, inWindow(originNanos));
        open.put(key, t);
        return t;
    }

    public void onSent(Track t, long nowNanos) {
        t.sentNanos = nowNanos;
        sent.increment();
        if (t.measured) {
            sendDelay.recordNanos(nowNanos - t.originNanos);
        }
    }

    public void onAck(Track t, long nowNanos) {
        t.acked = true;
        acked.increment();
        if (t.measured) {
            ackLatency.recordNanos(nowNanos - t.originNanos);
        }
        if (t.delivered.get() >= t.expectedDeliveries) {
            open.remove(t.key);
        }
    }

    /** The send failed: a timeout (no SEND_ACK in time) or an error; settles the message. */
    public void onSendFailed(Track t, Throwable failure) {
        t.failed = true;
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof RequestTimeoutException) {
            timeouts.increment();
        } else {
            errors.increment();
            errorCodes.record(cause);
        }
        settle(t);
    }

    /** A recipient received message {@code key}; returns false when the key is unknown (a stray or duplicate). */
    public boolean onDelivered(long key, long nowNanos) {
        Track t = open.get(key);
        if (t == null) {
            unexpectedDeliveries.increment();
            return false;
        }
        t.lastArrivalNanos.accumulateAndGet(nowNanos, Math::max);
        int n = t.delivered.incrementAndGet();
        if (n > t.expectedDeliveries) {
            unexpectedDeliveries.increment();
            return false;
        }
        deliveries.increment();
        if (inWindow(nowNanos)) {
            deliveriesInWindow.increment();
        }
        if (t.measured) {
            deliveryLatency.recordNanos(nowNanos - t.originNanos);
            deliveryFromSend.recordNanos(nowNanos - t.sentNanos);
        }
        if (n == t.expectedDeliveries) {
            complete(t);
        }
        return true;
    }

    /**
     * {@code count} recipients received message {@code key}, the latest of them at {@code lastArrivalNanos}:
     * what a lean receiver process reports for its connections in one delta ({@link DeliveryDeltas}). Counts
     * them like as many {@link #onDelivered} calls, except that the latency of each delivery is not recorded
     * here (the receiver process measures it and its histogram is {@link LatencyRecorder#add added}) and that a
     * delta counts inside the window when its latest arrival does. Deliveries beyond the expected count, or of
     * an unknown key, are unexpected.
     *
     * @return how many of the {@code count} were expected
     */
    public int onDeliveries(long key, int count, long lastArrivalNanos) {
        if (count <= 0) {
            return 0;
        }
        Track t = open.get(key);
        if (t == null) {
            unexpectedDeliveries.add(count);
            return 0;
        }
        // before the count: whoever completes the message then sees every arrival counted before it
        t.lastArrivalNanos.accumulateAndGet(lastArrivalNanos, Math::max);
        int n = t.delivered.addAndGet(count);
        int accepted = Math.max(0, Math.min(count, t.expectedDeliveries - (n - count)));
        if (accepted < count) {
            unexpectedDeliveries.add(count - accepted);
        }
        if (accepted == 0) {
            return 0;
        }
        deliveries.add(accepted);
        if (inWindow(lastArrivalNanos)) {
            deliveriesInWindow.add(accepted);
        }
        if (n >= t.expectedDeliveries) {
            complete(t);
        }
        return accepted;
    }

    /** Message {@code t} reached its last recipient: its latency to the last member, and it settles. */
    private void complete(Track t) {
        long last = t.lastArrivalNanos.get();
        if (t.measured) {
            lastDeliveryLatency.recordNanos(last - t.originNanos);
        }
        if (inWindow(last)) {
            completedInWindow.increment();
        }
        if (t.acked) {
            open.remove(t.key);
        }
        settle(t);
    }

    /**
     * Settles acknowledged-or-pending messages not fully delivered {@code timeoutNanos} after their origin,
     * counting each as one timeout (a message whose send already failed was counted then). They stay tracked:
     * a late delivery still counts, and one never delivered is lost at the end.
     *
     * @return how many were settled now
     */
    public int sweep(long nowNanos, long timeoutNanos) {
        int n = 0;
        for (Track t : open.values()) {
            if (!t.settled.get() && nowNanos - t.originNanos > timeoutNanos
                    && t.delivered.get() < t.expectedDeliveries && !t.failed) {
                if (settle(t)) {
                    timeouts.increment();
                    n++;
                }
            }
        }
        return n;
    }

    private boolean settle(Track t) {
        if (t.settled.compareAndSet(false, true)) {
            if (onSettled != null) {
                onSettled.accept(t);
            }
            return true;
        }
        return false;
    }

    /** Messages not yet acknowledged-and-fully-delivered and not failed: what a drain waits for. */
    public long outstanding() {
        long n = 0;
        for (Track t : open.values()) {
            if (!t.failed && (!t.acked || t.delivered.get() < t.expectedDeliveries)) {
                n++;
            }
        }
        return n;
    }

    /** Every tracked message (for a bound on memory). */
    public int tracked() {
        return open.size();
    }

    /** Loss accounting after the drain. */
    public record Loss(long lostMessages, long missingDeliveries, long unackedDelivered, long unackedUndelivered) {
    }

    /**
     * Acknowledged messages some recipient never got ({@code lostMessages}, and the deliveries missing),
     * plus messages that never got a SEND_ACK (counted as errors or timeouts already) split by whether
     * they were delivered anyway.
     */
    public Loss loss() {
        long lost = 0;
        long missing = 0;
        long unackedDelivered = 0;
        long unackedUndelivered = 0;
        List<Track> snapshot = new ArrayList<>(open.values());
        for (Track t : snapshot) {
            int d = t.delivered.get();
            if (t.acked) {
                if (d < t.expectedDeliveries) {
                    lost++;
                    missing += t.expectedDeliveries - d;
                }
            } else if (d > 0) {
                unackedDelivered++;
            } else {
                unackedUndelivered++;
            }
        }
        return new Loss(lost, missing, unackedDelivered, unackedUndelivered);
    }

    public LatencyRecorder deliveryLatency() {
        return deliveryLatency;
    }

    public LatencyRecorder lastDeliveryLatency() {
        return lastDeliveryLatency;
    }

    /** Send -> delivery from the actual send time (equals {@link #deliveryLatency()} in a closed loop). */
    public LatencyRecorder deliveryFromSend() {
        return deliveryFromSend;
    }

    /** How late sends left the generator after their intended time (open loop); near 0 when it kept up. */
    public LatencyRecorder sendDelay() {
        return sendDelay;
    }

    public LatencyRecorder ackLatency() {
        return ackLatency;
    }

    public long sent() {
        return sent.sum();
    }

    public long acked() {
        return acked.sum();
    }

    public long deliveries() {
        return deliveries.sum();
    }

    public long deliveriesInWindow() {
        return deliveriesInWindow.sum();
    }

    public long completedInWindow() {
        return completedInWindow.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** {@link #errors()} by error code name, with the first message of each. */
    public ErrorTally errorCodes() {
        return errorCodes;
    }

    public long timeouts() {
        return timeouts.sum();
    }

    /** Deliveries of unknown keys or beyond the expected count (the client SDK dedupes, so expect 0). */
    public long unexpectedDeliveries() {
        return unexpectedDeliveries.sum();
    }
}
