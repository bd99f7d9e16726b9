package io.magpie.gate.internal;

/**
 * Monotonic nanoseconds for the gate's per-connection timers and budgets: {@link #system()} in
 * production; tests move a hand-driven one together with {@code EmbeddedChannel.advanceTimeBy} on a
 * frozen channel clock, so no assertion depends on how fast the machine runs.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
