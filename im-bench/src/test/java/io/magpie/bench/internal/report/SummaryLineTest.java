package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryLineTest {

    static RunReport sample() {
        return RunReport.builder("pair-open")
                .param("pairs", 20).param("rates", "1000,2000").param("note", "two words")
                .command("./bench pair-open --pairs 20")
                .startedAt(Instant.parse("2025-06-01T10:00:00Z"))
                .measuredSeconds(20.0)
                .throughput(1999.6, "delivered msg/s")
                .latency(new LatencySummary(39_992, 1.2, 0.981, 1.9, 4.37, 12.55, 131.4), "send -> delivered")
                .failures(new Failures(1, 2, 3))
                .machine(new MachineInfo(2, 24L << 30, "Test CPU", "Linux 6 amd64", "OpenJDK 17", List.of("-Xmx2g"), 1.5))
                .build();
    }

    @Test
    void theSummaryIsOneLineOfKeyValuePairsAScriptCanSplitOnSpaces() {
        assertEquals("scenario=pair-open params=pairs=20,rates=1000;2000,note=two_words throughput=2000"
                        + " p50_ms=0.981 p99_ms=4.37 p999_ms=12.6 max_ms=131 errors=1 timeouts=2 lost=3 error_codes=-"
                        + " durability=unknown",
                SummaryLine.of(sample()));
    }

    @Test
    void aScenariosOwnFieldsComeLast() {
        RunReport r = RunReport.builder("group-fanout").machine(sample().machine())
                .summaryField("server_cpu_us_per_delivery", "4.25").summaryField("bench_cpu_cores", "0.31").build();
        assertTrue(SummaryLine.of(r).endsWith(" error_codes=- durability=unknown server_cpu_us_per_delivery=4.25"
                + " bench_cpu_cores=0.31"),
                SummaryLine.of(r));
    }

    @Test
    void noParamsIsADash() {
        RunReport r = RunReport.builder("x").machine(sample().machine()).build();
        assertEquals("scenario=x params=- throughput=0 p50_ms=0 p99_ms=0 p999_ms=0 max_ms=0 errors=0 timeouts=0 lost=0"
                        + " error_codes=- durability=unknown", SummaryLine.of(r));
    }

    static RunReport withErrorsAndReads() {
        RunReport s = sample();
        return RunReport.builder("group-fanout").param("read_every", 1).throughput(49_900, "deliveries/s")
                .latency(s.latency(), "send -> last member")
                .failures(new Failures(141, 0, 0, ErrorBreakdown.of(Map.of("RATE_LIMITED", 139L, "SERVER_BUSY", 2L))))
                .reads(new ReadResults(1, 748_500, 748_490, 49_900, new LatencySummary(700_000, 3, 2.51, 9, 18.04, 40, 95),
                        7, 3, ErrorBreakdown.of(Map.of("CONNECTION_LOST", 7L))))
                .machine(s.machine()).build();
    }

    @Test
    void errorsAreBrokenDownByCodeAndReadsGetTheirOwnFieldsWithoutSpaces() {
        String line = SummaryLine.of(withErrorsAndReads());
        assertTrue(line.endsWith(" errors=141 timeouts=0 lost=0 error_codes=RATE_LIMITED:139;SERVER_BUSY:2"
                + " reads=748500 read_p50_ms=2.51 read_p99_ms=18.0 read_errors=7 read_timeouts=3"
                + " read_error_codes=CONNECTION_LOST:7 durability=unknown"), line);
        for (String field : line.split(" ")) {
            assertTrue(field.matches("[a-z0-9_]+=\\S+"), "key=value: " + field);
        }
    }

    @Test
    void aRunWithoutReadsHasNoReadFields() {
        assertFalse(SummaryLine.of(sample()).contains("read"), SummaryLine.of(sample()));
    }

    @Test
    void theDurabilityTheServerReportedIsTheLastField() {
        RunReport r = RunReport.builder("pair-closed").machine(sample().machine())
                .durability(new Durability(java.util.OptionalInt.of(1), java.util.OptionalInt.of(0), "http://x/metrics"))
                .build();
        assertTrue(SummaryLine.of(r).endsWith(" error_codes=- durability=flush_log_at_trx_commit=1"), SummaryLine.of(r));
        assertTrue(MarkdownReport.render(r, null).contains(
                "| durability (MySQL) | innodb_flush_log_at_trx_commit=1, sync_binlog=0 (from http://x/metrics) |"));
    }
}
