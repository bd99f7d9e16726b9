package io.magpie.bench.internal.report;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one machine-readable line every run prints, so runs can be compared by a script:
 * {@code scenario=NAME params=k=v,k=v throughput=N p50_ms=N p99_ms=N p999_ms=N max_ms=N errors=N timeouts=N lost=N}.
 * Fields are space-separated {@code key=value}; values never contain spaces (a space or comma inside a
 * parameter value becomes {@code _} / {@code ;}). Stateless.
 */
public final class SummaryLine {

    private SummaryLine() {
    }

    public static String of(RunReport report) {
        LatencySummary l = report.latency();
        Failures f = report.failures();
        return "scenario=" + report.scenario()
                + " params=" + params(report.params())
                + " throughput=" + Numbers.whole(report.throughput())
                + " p50_ms=" + Numbers.ms(l.p50Ms())
                + " p99_ms=" + Numbers.ms(l.p99Ms())
                + " p999_ms=" + Numbers.ms(l.p999Ms())
                + " max_ms=" + Numbers.ms(l.maxMs())
                + " errors=" + f.errors()
                + " timeouts=" + f.timeouts()
                + " lost=" + f.lost();
    }

    static String params(Map<String, String> params) {
        if (params.isEmpty()) {
            return "-";
        }
        return params.entrySet().stream()
                .map(e -> clean(e.getKey()) + "=" + clean(e.getValue()))
                .collect(Collectors.joining(","));
    }

    private static String clean(String s) {
        return s.replace(' ', '_').replace(',', ';');
    }
}
