package io.magpie.idgen;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test clock: returns the scripted millisecond values one read at a time; once the script is used
 * up it advances by one millisecond every {@code readsPerMillisecond} reads, so a waiting generator
 * always gets there.
 */
final class ScriptedClock extends Clock {

    private final long[] script;
    private final int readsPerMillisecond;
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong afterScript = new AtomicLong();

    ScriptedClock(int readsPerMillisecond, long... script) {
        this.script = script;
        this.readsPerMillisecond = readsPerMillisecond;
    }

    /** How often the clock was read. */
    int reads() {
        return reads.get();
    }

    @Override
    public long millis() {
        int read = reads.getAndIncrement();
        if (read < script.length) {
            return script[read];
        }
        long beyond = afterScript.getAndIncrement();
        return script[script.length - 1] + 1 + beyond / readsPerMillisecond;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
