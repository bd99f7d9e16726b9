package io.magpie.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock a test moves by hand (thread-safe: readers on other threads see each move). */
public final class MutableClock extends Clock {

    private volatile Instant now;

    /** Starts at 2026-01-01T00:00:00Z. */
    public MutableClock() {
        this(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }

    public MutableClock(long epochMillis) {
        this.now = Instant.ofEpochMilli(epochMillis);
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
