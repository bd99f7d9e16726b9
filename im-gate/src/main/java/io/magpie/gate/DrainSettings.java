package io.magpie.gate;

import java.time.Duration;
import java.util.Objects;

/**
 * How a gate drains ({@code gate.drain.*}, docs/operations.md §5 "Draining a gate").
 *
 * @param reconnectsPerSecond RECONNECTs the gate sends per second at most, 1..100000 (default
 *                            {@value #DEFAULT_RECONNECTS_PER_SECOND}); they go out in batches every
 *                            {@link #TICK}, each with a random {@code delay_ms} within that tick so a batch
 *                            does not reach the LSB at one instant
 * @param deadline            from the start of the drain until the gate closes the connections that are
 *                            still open and stops, 1 s..1 h (default 30 s)
 * @param lsbGrace            after the DRAINING entry is published, how long the gate waits before the first
 *                            RECONNECT, so every LSB has read it and sends the moving clients elsewhere;
 *                            0..1 min (default 2 s: twice the LSB's default {@code lsb.poll-interval})
 */
public record DrainSettings(int reconnectsPerSecond, Duration deadline, Duration lsbGrace) {

    public static final int DEFAULT_RECONNECTS_PER_SECOND = 500;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_LSB_GRACE = Duration.ofSeconds(2);
    /** How often a batch of RECONNECTs goes out. */
    public static final Duration TICK = Duration.ofMillis(100);

    public DrainSettings {
        Objects.requireNonNull(deadline, "gate.drain.deadline");
        Objects.requireNonNull(lsbGrace, "gate.drain.lsb-grace");
        if (lsbGrace.isNegative() || lsbGrace.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("gate.drain.lsb-grace must be between 0s and 1m, got " + lsbGrace);
        }
        if (reconnectsPerSecond < 1 || reconnectsPerSecond > 100_000) {
            throw new IllegalArgumentException("gate.drain.reconnects-per-second must be 1..100000, got "
                    + reconnectsPerSecond);
        }
        if (deadline.compareTo(Duration.ofSeconds(1)) < 0 || deadline.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("gate.drain.deadline must be between 1s and 1h, got " + deadline);
        }
    }

    public static DrainSettings defaults() {
        return new DrainSettings(DEFAULT_RECONNECTS_PER_SECOND, DEFAULT_DEADLINE, DEFAULT_LSB_GRACE);
    }
}
