package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard's report: its step lines parse back as the next run's baseline, and the comparison table. */
class GuardReportTest {

    private static final String LINE_1X1 = "step=pair-closed-1x1 scenario=pair-closed params=run=abc,pairs=1"
            + " throughput=268 p50_ms=3.18 p99_ms=12.5 p999_ms=20.1 max_ms=30.0 errors=1 timeouts=2 lost=0"
            + " error_codes=SERVER_BUSY:1 durability=flush_log_at_trx_commit=2";
    private static final String LINE_OPEN = "step=pair-open-8000 scenario=pair-open params=pairs=50,rate=8000"
            + " throughput=8000 p50_ms=20.0 p99_ms=58.0 p999_ms=90 max_ms=120 errors=0 timeouts=0 lost=0"
            + " error_codes=- durability=flush_log_at_trx_commit=2";

    @Test
    void aStepLineParsesIntoItsFigures() {
        GuardFigures f = GuardFigures.parse(LINE_1X1);

        assertEquals("pair-closed-1x1", f.step());
        assertEquals(268, f.throughput());
        assertEquals(3.18, f.p50Ms());
        assertEquals(12.5, f.p99Ms());
        assertEquals(3, f.failures(), "errors + timeouts + lost");
        assertEquals("flush_log_at_trx_commit=2", f.durability());
    }

    @Test
    void aLineWithoutAFigureNamesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GuardFigures.parse("step=x scenario=y throughput=1 p50_ms=1 errors=0 timeouts=0 lost=0"));
        assertTrue(e.getMessage().startsWith("guard line has no p99_ms="), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GuardFigures.parse(LINE_1X1.replace("p50_ms=3.18", "p50_ms=fast")));
        assertTrue(e.getMessage().startsWith("guard line has p50_ms=fast, not a number"), e.getMessage());
    }

    @Test
    void aBaselineIsTheStepLinesOfAGuardReport() {
        String md = "# guard — 2026-12-04T20:00:00Z\n\n| step | figure |\n\n```\n" + LINE_1X1 + "\n" + LINE_OPEN
                + "\n```\n";

        GuardBaseline b = GuardBaseline.parse(md, "docs/bench-reports/guard-20261204-200000.md");

        assertEquals(List.of("pair-closed-1x1", "pair-open-8000"), List.copyOf(b.steps().keySet()));
        assertEquals(58.0, b.steps().get("pair-open-8000").p99Ms());
        assertEquals("flush_log_at_trx_commit=2", b.durability());
    }

    @Test
    void aFileWithoutStepLinesIsNotABaseline() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GuardBaseline.parse("# pair-closed\n", "x.md"));
        assertTrue(e.getMessage().startsWith("x.md holds no step=... lines"), e.getMessage());
    }

    @Test
    void theNewestGuardReportByNameIsTheDefaultBaseline(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("guard-20261204-200000.md"), LINE_1X1);
        Files.writeString(dir.resolve("guard-20261205-080000.md"), LINE_1X1);
        Files.writeString(dir.resolve("pair-closed-20261206-080000.md"), "");

        assertEquals(dir.resolve("guard-20261205-080000.md"), GuardBaseline.newest(dir).orElseThrow());
        assertTrue(GuardBaseline.newest(dir.resolve("missing")).isEmpty());
    }

    @Test
    void eachFigureStandsBesideTheBaselineWithTheChange() {
        GuardFigures now = GuardFigures.parse(LINE_1X1.replace("throughput=268", "throughput=201")
                .replace("p99_ms=12.5", "p99_ms=25.0").replace("errors=1", "errors=0"));
        GuardFigures fresh = GuardFigures.parse(LINE_OPEN.replace("pair-open-8000", "group-fanout-500"));
        GuardBaseline base = new GuardBaseline("b.md", Map.of("pair-closed-1x1", GuardFigures.parse(LINE_1X1)));

        List<GuardComparison.Row> rows = GuardComparison.rows(List.of(now, fresh), base);

        assertEquals(new GuardComparison.Row("pair-closed-1x1", "throughput /s", "201", "268", "-25.0 %"), rows.get(0));
        assertEquals(new GuardComparison.Row("pair-closed-1x1", "p50 ms", "3.18", "3.18", "+0.0 %"), rows.get(1));
        assertEquals(new GuardComparison.Row("pair-closed-1x1", "p99 ms", "25.0", "12.5", "+100.0 %"), rows.get(2));
        assertEquals(new GuardComparison.Row("pair-closed-1x1", "errors + timeouts + lost", "2", "3", "-1"),
                rows.get(3));
        assertEquals(new GuardComparison.Row("group-fanout-500", "throughput /s", "8000", "-", "-"), rows.get(4),
                "a step the baseline lacks");
        assertEquals(8, rows.size());
    }

    @Test
    void aZeroBaselineHasNoRelativeChange() {
        assertEquals("0.0 %", GuardComparison.change(0, 0));
        assertEquals("-", GuardComparison.change(5, 0));
        assertEquals("+50.0 %", GuardComparison.change(3, 2));
    }

    @Test
    void theTableIsMarkdownWithAlignedColumns() {
        GuardBaseline base = new GuardBaseline("b.md", Map.of("pair-closed-1x1", GuardFigures.parse(LINE_1X1)));
        String table = GuardComparison.table(GuardComparison.rows(List.of(GuardFigures.parse(LINE_1X1)), base));
        String[] lines = table.split("\n");

        assertEquals(6, lines.length, table);
        assertTrue(lines[0].startsWith("| step            | figure"), table);
        assertTrue(lines[1].matches("\\|[-| ]+\\|"), table);
        assertTrue(lines[2].contains("| throughput /s"), table);
        assertTrue(lines[2].endsWith("|      268 |      268 | +0.0 % |"), table);
        for (String l : lines) {
            assertEquals(lines[0].length(), l.length(), "aligned: " + table);
        }
    }

    @Test
    void theReportCarriesTheTableTheDurabilityAndLinesThatParseBackAsTheNextBaseline() {
        GuardFigures f = GuardFigures.parse(LINE_1X1);
        MachineInfo machine = new MachineInfo(2, 24L << 30, "Test CPU", "Linux 6", "OpenJDK 17", List.of(), 0.5);
        Durability d = new Durability(OptionalInt.of(1), OptionalInt.of(0), "http://127.0.0.1:8090/metrics");
        GuardReport report = new GuardReport("./bench guard", Instant.parse("2026-12-04T20:00:00Z"), d,
                new GuardBaseline("old.md", Map.of(f.step(), f)),
                List.of(new GuardReport.Step(f, "./bench pair-closed --pairs 1", "pair-closed-20261204-200001.md", 1)),
                machine, "kafka_hop_p50_us=885 floor_p50_ms=2.23");

        String md = report.markdown();

        assertTrue(md.startsWith("# guard — 2026-12-04T20:00:00Z\n\n```\n./bench guard\n```"), md);
        assertTrue(md.contains("| durability (MySQL) | innodb_flush_log_at_trx_commit=1, sync_binlog=0"), md);
        assertTrue(md.contains("**durability differs: this run flush_log_at_trx_commit=1, baseline"
                + " flush_log_at_trx_commit=2"), md);
        assertTrue(md.contains(report.table()), md);
        assertTrue(md.contains("| pair-closed-1x1 | 1 | `./bench pair-closed --pairs 1` | pair-closed-20261204-200001.md |"),
                md);
        assertEquals(Map.of(f.step(), f), GuardBaseline.parse(md, "new.md").steps());
        assertTrue(md.contains("| hop floor (`bench hop-floor`, before the steps) | `kafka_hop_p50_us=885"
                + " floor_p50_ms=2.23` |"), md);
        assertTrue(new GuardReport("./bench guard", Instant.parse("2026-12-04T20:00:00Z"), d, GuardBaseline.NONE,
                List.of(), machine, "").markdown().contains("| hop floor (`bench hop-floor`, before the steps) | not"
                + " measured (give `--kafka` and `--mysql`) |"));
    }
}
