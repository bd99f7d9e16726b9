package io.magpie.bench.internal.report;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one machine-readable line every run prints, so runs can be compared by a script:
 * {@code scenario=NAME params=k=v,k=v throughput=N p50_ms=N p99_ms=N p999_ms=N max_ms=N errors=N timeouts=N lost=N
 * error_codes=CODE:N;CODE:N}, then, when the run sent READs,
 * {@code reads=N read_p50_ms=N read_p99_ms=N read_errors=N read_timeouts=N read_error_codes=CODE:N}, then
 * {@code durability=flush_log_at_trx_commit=N} (or {@code durability=unknown}), then the scenario's own fields
 * ({@link RunReport#summaryFields()}; group-fanout: {@code receivers=lean|sdk server_cpu_cores=N
 * server_cpu_us_per_delivery=N bench_cpu_cores=N}).
 * Fields are space-separated {@code key=value}; values never contain spaces (a space or comma inside a
 * parameter value becomes {@code _} / {@code ;}; an empty breakdown is {@code -}). New fields are only ever
 * appended. Stateless.
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
                + " lost=" + f.lost()
                + " error_codes=" + f.errorCodes().compact()
                + reads(report.reads())
                + " durability=" + report.durability().summary()
                + report.summaryFields().entrySet().stream().map(e -> " " + clean(e.getKey()) + "=" + clean(e.getValue()))
                        .collect(Collectors.joining());
    }

    private static String reads(ReadResults r) {
        if (!r.enabled()) {
            return "";
        }
        return " reads=" + r.issued()
                + " read_p50_ms=" + Numbers.ms(r.latency().p50Ms())
                + " read_p99_ms=" + Numbers.ms(r.latency().p99Ms())
                + " read_errors=" + r.errors()
                + " read_timeouts=" + r.timeouts()
                + " read_error_codes=" + r.errorCodes().compact();
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
