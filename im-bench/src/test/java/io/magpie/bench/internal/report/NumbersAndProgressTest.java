package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumbersAndProgressTest {

    @Test
    void millisecondsKeepThreeSignificantDigits() {
        assertEquals("0", Numbers.ms(0));
        assertEquals("0.412", Numbers.ms(0.4123));
        assertEquals("4.37", Numbers.ms(4.3712));
        assertEquals("12.6", Numbers.ms(12.55));
        assertEquals("131", Numbers.ms(131.4));
    }

    @Test
    void bytesUseBinaryUnits() {
        assertEquals("512 B", Numbers.bytes(512));
        assertEquals("2.0 KiB", Numbers.bytes(2048));
        assertEquals("1.5 MiB", Numbers.bytes(3L << 19));
    }

    @Test
    void theProgressLineShowsRateTotalFailuresAndP99() {
        assertEquals("[  12s measure]      4,980 msg/s  total 59,812  errors 0  timeouts 3  p99 3.12 ms (so far 2.95 ms)",
                ProgressLine.format(12, "measure", 4980.4, "msg/s", 59_812, 0, 3, 3.12, 2.95));
        assertEquals("[   1s warmup ]          0 msg/s  total 0  errors 0  timeouts 0  p99 - (so far -)",
                ProgressLine.format(1, "warmup", 0, "msg/s", 0, 0, 0, -1, -1));
    }
}
