package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    @Test
    void theReportShowsCommandPercentilesFailuresMachineAndTheSummaryLine() {
        RunReport r = RunReport.builder("pair-open").param("pairs", 20)
                .command("./bench pair-open --pairs 20")
                .startedAt(SummaryLineTest.sample().startedAt())
                .measuredSeconds(20)
                .throughput(2000, "delivered msg/s")
                .latency(SummaryLineTest.sample().latency(), "send -> delivered")
                .failures(new Failures(1, 2, 3))
                .result("server JVM GC time", "0.2 s | a pipe")
                .section("Sweep", "| a | b |\n|---|---|\n| 1 | 2 |")
                .note("2 cores shared with builds")
                .machine(SummaryLineTest.sample().machine())
                .build();
        String md = MarkdownReport.render(r, "pair-open-20250601-100000.html");
        assertTrue(md.startsWith("# pair-open — 2025-06-01T10:00:00Z"), md);
        assertTrue(md.contains("```\n./bench pair-open --pairs 20\n```"), md);
        assertTrue(md.contains("| 39992 | 1.20 | 0.981 | 1.90 | 4.37 | 12.6 | 131 |"), md);
        assertTrue(md.contains("| errors | 1 |") && md.contains("| timeouts | 2 |")
                && md.contains("| lost (acked, never delivered) | 3 |"), md);
        assertTrue(md.contains("| server JVM GC time | 0.2 s \\| a pipe |"), "pipes in values are escaped: " + md);
        assertTrue(md.contains("## Sweep\n\n| a | b |"), md);
        assertTrue(md.contains("- 2 cores shared with builds"), md);
        assertTrue(md.contains("- cores: 2 (Test CPU)") && md.contains("- memory: 24.0 GiB")
                && md.contains("- JVM: OpenJDK 17"), md);
        assertTrue(md.contains("[pair-open-20250601-100000.html](pair-open-20250601-100000.html)"), md);
        assertTrue(md.contains(SummaryLine.of(r)), md);
        assertFalse(md.contains("READ"), "no READ rows when the run sent none: " + md);
    }

    @Test
    void errorsNameTheirCodesAndReadsShowCountLatencyAndFailures() {
        String md = MarkdownReport.render(SummaryLineTest.withErrorsAndReads(), null);
        assertTrue(md.contains("| errors | 141 (RATE_LIMITED 139, SERVER_BUSY 2) |"), md);
        assertTrue(md.contains("| READs sent (every delivered message with seq % 1 == 0; whole run) | 748500 |"), md);
        assertTrue(md.contains("| READ_ACKs received | 748490 |"), md);
        assertTrue(md.contains("| READs sent / s in the window | 49900 |"), md);
        assertTrue(md.contains("| READ -> READ_ACK p50 / p99 / max (ms) | 2.51 / 18.0 / 95.0 |"), md);
        assertTrue(md.contains("| READ errors | 7 (CONNECTION_LOST 7) |") && md.contains("| READ timeouts | 3 |"), md);
    }
}
