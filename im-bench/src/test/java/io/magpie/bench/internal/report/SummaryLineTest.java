package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
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
                        + " p50_ms=0.981 p99_ms=4.37 p999_ms=12.6 max_ms=131 errors=1 timeouts=2 lost=3",
                SummaryLine.of(sample()));
    }

    @Test
    void noParamsIsADash() {
        RunReport r = RunReport.builder("x").machine(sample().machine()).build();
        assertEquals("scenario=x params=- throughput=0 p50_ms=0 p99_ms=0 p999_ms=0 max_ms=0 errors=0 timeouts=0 lost=0",
                SummaryLine.of(r));
    }
}
