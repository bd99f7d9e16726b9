package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.bench.internal.load.LatencyRecorder;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

    @Test
    void percentilesAreInMillisecondsOfAHistogramOfMicroseconds() {
        Histogram h = LatencyRecorder.emptyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 100L); // 0.1 ms .. 100 ms
        }
        LatencySummary s = LatencySummary.ofMicros(h);
        assertEquals(1000, s.count());
        assertEquals(50.0, s.p50Ms(), 0.05);
        assertEquals(90.0, s.p90Ms(), 0.1);
        assertEquals(99.0, s.p99Ms(), 0.1);
        assertEquals(99.9, s.p999Ms(), 0.1);
        assertEquals(100.0, s.maxMs(), 0.1);
    }

    @Test
    void anEmptyHistogramIsAllZero() {
        assertEquals(LatencySummary.EMPTY, LatencySummary.ofMicros(LatencyRecorder.emptyHistogram()));
    }

    @Test
    void theRecorderClampsAbsurdValuesAndCountsThem() {
        LatencyRecorder r = new LatencyRecorder();
        r.recordNanos(-5);
        r.recordNanos(Long.MAX_VALUE);
        assertEquals(2, r.total().getTotalCount());
        assertEquals(1, r.clamped());
    }
}
