package io.magpie.bench.internal.load;

import io.magpie.client.RequestTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Follows the recipients' READs of a message run (mark the conversation read up to a delivered message,
 * READ -> READ_ACK): how many were sent and acknowledged, their latency, and what failed them. A
 * recipient reads a delivered message when its seq is a multiple of {@link #every()}: every message at 1,
 * every 10th at 10, per conversation and without any state per recipient (seqs are gapless per
 * conversation, so every member of a group reads at the same seqs).
 *
 * <p>Latency is from the READ leaving the generator to its READ_ACK, recorded for READs sent inside the
 * measured window; READs are sent as deliveries arrive (no schedule of their own), so there is no
 * intended time to correct for. Thread-safe: deliveries and acks arrive on many event loops.
 */
public final class ReadTracker {

    private final int every;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final LongAdder issued = new LongAdder();
    private final LongAdder issuedInWindow = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final ErrorTally errorCodes = new ErrorTally();
    private volatile long windowStartNanos = Long.MAX_VALUE;
    private volatile long windowEndNanos = Long.MAX_VALUE;

    /** @param every read at seqs that are a multiple of this; 0 = never read */
    public ReadTracker(int every) {
        if (every < 0) {
            throw new IllegalArgumentException("every must be 0 (off) or more, got " + every);
        }
        this.every = every;
    }

    /** A tracker that never reads. */
    public static ReadTracker off() {
        return new ReadTracker(0);
    }

    public int every() {
        return every;
    }

    public boolean enabled() {
        return every > 0;
    }

    /** Whether a recipient marks its conversation read on delivery of the message at {@code seq}. */
    public boolean readsAt(long seq) {
        return every > 0 && seq > 0 && seq % every == 0;
    }

    public void startWindow(long nowNanos) {
        windowStartNanos = nowNanos;
    }

    public void endWindow(long nowNanos) {
        windowEndNanos = nowNanos;
    }

    private boolean inWindow(long nanos) {
        return nanos >= windowStartNanos && nanos < windowEndNanos;
    }

    /** A READ leaves now; pass {@code nowNanos} back to {@link #onAcked} or {@link #onFailed}. */
    public void onIssued(long nowNanos) {
        issued.increment();
        if (inWindow(nowNanos)) {
            issuedInWindow.increment();
        }
    }

    /** The READ sent at {@code issuedNanos} got its READ_ACK at {@code nowNanos}. */
    public void onAcked(long issuedNanos, long nowNanos) {
        acked.increment();
        if (inWindow(issuedNanos)) {
            latency.recordNanos(nowNanos - issuedNanos);
        }
    }

    /** The READ failed: no READ_ACK in time (a timeout) or anything else (an error, counted by code). */
    public void onFailed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof RequestTimeoutException) {
            timeouts.increment();
        } else {
            errors.increment();
            errorCodes.record(cause);
        }
    }

    /** READs sent and neither acknowledged nor failed yet: what a drain waits for. */
    public long outstanding() {
        long finished = acked.sum() + errors.sum() + timeouts.sum(); // before issued: it can only lag it
        return issued.sum() - finished;
    }

    /** READ -> READ_ACK of READs sent in the window. */
    public LatencyRecorder latency() {
        return latency;
    }

    public long issued() {
        return issued.sum();
    }

    public long issuedInWindow() {
        return issuedInWindow.sum();
    }

    public long acked() {
        return acked.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long timeouts() {
        return timeouts.sum();
    }

    public ErrorTally errorCodes() {
        return errorCodes;
    }
}
