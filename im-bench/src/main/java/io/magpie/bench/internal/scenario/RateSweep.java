package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.LatencySummary;
import io.magpie.bench.internal.report.Numbers;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The verdict of each step of an open-loop rate sweep and the saturation point: the highest offered rate
 * the server still kept up with. A step is saturated when it delivered less than {@code minRatio} of the
 * offered rate in the window, when its p99 exceeded {@code maxP99Ms} (a queue growing inside the server
 * shows as latency long before the delivered rate drops), when more than 1 % of its messages failed, or
 * when the generator had to stop because too many messages were outstanding. Pure; immutable.
 */
public final class RateSweep {

    /** One measured rate. */
    public record Step(double offered, double achieved, LatencySummary latency, LatencySummary uncorrected,
                       Failures failures, long sent, boolean aborted) {

        public Optional<String> saturation(double minRatio, double maxP99Ms) {
            if (aborted) {
                return Optional.of("generator stopped: too many messages outstanding");
            }
            if (achieved < minRatio * offered) {
                return Optional.of(String.format(Locale.ROOT, "delivered %.0f%% of the offered rate", 100 * achieved / offered));
            }
            if (latency.p99Ms() > maxP99Ms) {
                return Optional.of(String.format(Locale.ROOT, "p99 %s ms above the %s ms limit",
                        Numbers.ms(latency.p99Ms()), Numbers.ms(maxP99Ms)));
            }
            long failed = failures.errors() + failures.timeouts() + failures.lost();
            if (sent > 0 && failed * 100 > sent) {
                return Optional.of(failed + " of " + sent + " messages failed");
            }
            return Optional.empty();
        }
    }

    private RateSweep() {
    }

    /** The highest step that is not saturated, if any. */
    public static Optional<Step> saturationPoint(List<Step> steps, double minRatio, double maxP99Ms) {
        return steps.stream().filter(s -> s.saturation(minRatio, maxP99Ms).isEmpty())
                .max((a, b) -> Double.compare(a.offered(), b.offered()));
    }

    /** The step whose offered rate is nearest to {@code rate}. */
    public static Optional<Step> nearest(List<Step> steps, double rate) {
        return steps.stream().min((a, b) -> Double.compare(Math.abs(a.offered() - rate), Math.abs(b.offered() - rate)));
    }

    /** The sweep as a Markdown table. */
    public static String table(List<Step> steps, double minRatio, double maxP99Ms) {
        StringBuilder md = new StringBuilder();
        md.append("| offered msg/s | delivered msg/s | p50 | p90 | p99 | p99.9 | max | p99 uncorrected | errors |"
                + " timeouts | lost | verdict |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Step s : steps) {
            LatencySummary l = s.latency();
            md.append("| ").append(Numbers.whole(s.offered())).append(" | ").append(Numbers.whole(s.achieved()))
                    .append(" | ").append(Numbers.ms(l.p50Ms())).append(" | ").append(Numbers.ms(l.p90Ms()))
                    .append(" | ").append(Numbers.ms(l.p99Ms())).append(" | ").append(Numbers.ms(l.p999Ms()))
                    .append(" | ").append(Numbers.ms(l.maxMs())).append(" | ").append(Numbers.ms(s.uncorrected().p99Ms()))
                    .append(" | ").append(s.failures().errors()).append(" | ").append(s.failures().timeouts())
                    .append(" | ").append(s.failures().lost()).append(" | ")
                    .append(s.saturation(minRatio, maxP99Ms).map(r -> "saturated: " + r).orElse("ok")).append(" |\n");
        }
        md.append("\nLatencies in ms, send -> delivered, measured from each message's intended send time"
                + " (coordinated-omission corrected); \"uncorrected\" measures from the actual send.\n");
        return md.toString();
    }
}
