package io.magpie.bench.internal.load;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records latencies from any thread into an HdrHistogram {@link Recorder} (wait-free for writers) in
 * microseconds, 3 significant digits, up to one hour (longer values are clamped and counted in
 * {@link #clamped()}). {@link #interval()} hands out what was recorded since the last call, for the
 * progress line, and adds it to the running {@link #total()}.
 *
 * <p>Writers: any thread. {@link #interval()} and {@link #total()}: one reader at a time (they are
 * synchronized).
 */
public final class LatencyRecorder {

    public static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final Histogram total = new Histogram(MAX_MICROS, 3);
    private final java.util.concurrent.atomic.AtomicLong clamped = new java.util.concurrent.atomic.AtomicLong();
    private Histogram recycled;

    /** Records {@code nanos} (negative counts as 0). */
    public void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        if (micros > MAX_MICROS) {
            clamped.incrementAndGet();
            micros = MAX_MICROS;
        }
        recorder.recordValue(micros);
    }

    /**
     * Records every value of {@code micros} (a histogram in microseconds, e.g. a worker process's interval)
     * as if each had been recorded here; values above one hour are clamped like {@link #recordNanos}.
     */
    public void add(Histogram micros) {
        for (org.HdrHistogram.HistogramIterationValue v : micros.recordedValues()) {
            long value = v.getValueIteratedTo();
            long count = v.getCountAtValueIteratedTo();
            if (value > MAX_MICROS) {
                clamped.addAndGet(count);
                value = MAX_MICROS;
            }
            recorder.recordValueWithCount(value, count);
        }
    }

    /** What was recorded since the previous call (a copy the caller may keep). */
    public synchronized Histogram interval() {
        recycled = recorder.getIntervalHistogram(recycled);
        total.add(recycled);
        return recycled.copy();
    }

    /** Everything recorded so far (a copy). */
    public synchronized Histogram total() {
        interval();
        return total.copy();
    }

    /** The value at {@code percentile} of everything recorded up to the last {@link #interval()}, in ms; -1 if none. */
    public synchronized double totalPercentileMs(double percentile) {
        return total.getTotalCount() == 0 ? -1 : total.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Values above one hour that were recorded as one hour. */
    public long clamped() {
        return clamped.get();
    }

    /** A fresh empty histogram with the same range, to merge copies into. */
    public static Histogram emptyHistogram() {
        return new Histogram(MAX_MICROS, 3);
    }
}
