package io.magpie.gate.internal;

import io.magpie.protocol.Frame;
import java.util.Objects;

/**
 * Counts every client frame in and out by command (and every ERROR by code) in {@link GateMetrics}: the observer
 * of the gate's frame decoders ({@link #in}) and of its frame encoder ({@link #out}), not a pipeline stage of its
 * own, which would be a 56-byte context on every idle connection's heap. Thread-safe; one per gate.
 */
final class FrameMeter {

    private final GateMetrics metrics;

    FrameMeter(GateMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** A frame the client sent, decoded. */
    void in(Frame frame) {
        metrics.frameIn(frame.command());
    }

    /** A frame to the client, about to be encoded. */
    void out(Frame frame) {
        metrics.frameOut(frame.command(), frame.body());
    }
}
