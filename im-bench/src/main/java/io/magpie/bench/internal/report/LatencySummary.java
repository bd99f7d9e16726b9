package io.magpie.bench.internal.report;

import org.HdrHistogram.Histogram;

/**
 * The percentiles a report shows, in milliseconds, taken from a histogram of microseconds. Immutable.
 *
 * @param count samples in the histogram
 */
public record LatencySummary(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
                             double maxMs) {

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    /** Percentiles of {@code micros} (values recorded in microseconds); all zero when it is empty. */
    public static LatencySummary ofMicros(Histogram micros) {
        if (micros == null || micros.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(micros.getTotalCount(),
                micros.getMean() / 1000.0,
                micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(90) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0,
                micros.getValueAtPercentile(99.9) / 1000.0,
                micros.getMaxValue() / 1000.0);
    }
}
