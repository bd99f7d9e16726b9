package io.magpie.bench.internal.report;

import java.util.Locale;

/**
 * The line printed every second while a run goes:
 * {@code [  12s measure] 4,980 msg/s  total 59,812  errors 0  timeouts 0  p99 3.12 ms (so far 2.95 ms)}.
 * Stateless.
 */
public final class ProgressLine {

    private ProgressLine() {
    }

    /**
     * @param elapsedSeconds since the run started
     * @param phase          warmup, measure, drain, connect, hold ...
     * @param rate           events per second in the last interval
     * @param unit           what the rate counts ("msg/s", "conn/s")
     * @param total          events so far in this phase
     * @param intervalP99Ms  p99 of the last interval, negative when there were no samples
     * @param totalP99Ms     p99 of the measured window so far, negative when none
     */
    public static String format(long elapsedSeconds, String phase, double rate, String unit, long total, long errors,
                                long timeouts, double intervalP99Ms, double totalP99Ms) {
        return String.format(Locale.ROOT, "[%4ds %-7s] %,10.0f %s  total %,d  errors %d  timeouts %d  p99 %s (so far %s)",
                elapsedSeconds, phase, rate, unit, total, errors, timeouts, p99(intervalP99Ms), p99(totalP99Ms));
    }

    private static String p99(double ms) {
        return ms < 0 ? "-" : Numbers.ms(ms) + " ms";
    }
}
