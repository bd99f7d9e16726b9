package io.magpie.gate.internal;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A ticker that moves only when told, together with the frozen clocks of the embedded channels it
 * drives: time in these tests never depends on how busy the machine is.
 */
final class ManualTicker implements Ticker {

    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(Duration duration) {
        now += duration.toNanos();
    }

    /** Freezes {@code channel}'s scheduler clock so only {@link #elapse} moves it. */
    static EmbeddedChannel frozen(EmbeddedChannel channel) {
        channel.freezeTime();
        return channel;
    }

    /** Lets {@code duration} pass on this ticker and on {@code channel}, then runs what fell due. */
    void elapse(EmbeddedChannel channel, Duration duration) {
        advance(duration);
        channel.advanceTimeBy(duration.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }
}
