package io.magpie.bench.internal.report;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The regression guard's own report, {@code guard-<yyyyMMdd-HHmmss>.md}: the comparison table, the durability,
 * what each step ran and where its full report is, and the steps' {@code step=...} lines that a later guard run
 * reads back as its baseline ({@link GuardBaseline}). Immutable.
 *
 * @param command    the guard's command line
 * @param startedAt  when the guard started
 * @param durability the MySQL durability the server ran with
 * @param baseline   what it was compared with
 * @param steps      each step, in run order
 * @param machine    where it ran
 * @param floor      the machine's hop floor ({@code bench hop-floor} figures) measured before the steps, or empty
 */
public record GuardReport(String command, Instant startedAt, Durability durability, GuardBaseline baseline,
                          List<Step> steps, MachineInfo machine, String floor) {

    /** One step: its figures, the command it ran, its full report (file name) and its exit code. */
    public record Step(GuardFigures figures, String command, String report, int exitCode) {
    }

    public GuardReport {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(floor, "floor");
        steps = List.copyOf(steps);
    }

    public List<GuardFigures> figures() {
        return steps.stream().map(Step::figures).toList();
    }

    /** The comparison table (also what the guard prints). */
    public String table() {
        return GuardComparison.table(GuardComparison.rows(figures(), baseline));
    }

    /** A warning when this run and the baseline ran with different durability, else empty. */
    public String durabilityWarning() {
        String now = durability.summary();
        String before = baseline.durability();
        if (baseline.steps().isEmpty() || before.equals(now)) {
            return "";
        }
        return "durability differs: this run " + now + ", baseline " + before
                + " — the figures compare different commit costs";
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# guard — ").append(startedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append("\n\n");
        md.append("```\n").append(command).append("\n```\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| durability (MySQL) | ").append(cell(durability.describe())).append(" |\n");
        md.append("| baseline | ").append(cell(baseline.source())).append(baseline.steps().isEmpty() ? ""
                : " (durability " + cell(baseline.durability()) + ")").append(" |\n");
        md.append("| load average (1 min) at start | ")
                .append(String.format(Locale.ROOT, "%.2f", machine.loadAverage())).append(" |\n");
        md.append("| machine | ").append(machine.cores()).append(" cores (").append(cell(machine.cpuModel()))
                .append("), ").append(cell(machine.os())).append(", ").append(cell(machine.jvm())).append(" |\n");
        md.append("| hop floor (`bench hop-floor`, before the steps) | ")
                .append(floor.isEmpty() ? "not measured (give `--kafka` and `--mysql`)" : "`" + cell(floor) + "`")
                .append(" |\n");
        String warning = durabilityWarning();
        if (!warning.isEmpty()) {
            md.append("\n**").append(warning).append("**\n");
        }
        md.append("\n## Figures\n\n").append(table());
        md.append("\nThroughput is each step's headline rate (delivered msg/s; deliveries/s for group-fanout), the"
                + " latencies its headline latency (pair-open: from the intended send). Changes are relative to"
                + " the baseline; on a shared box differences of 10-20 % are within run-to-run noise.\n");
        md.append("\n## Steps\n\n| step | exit | command | report |\n|---|---|---|---|\n");
        for (Step s : steps) {
            md.append("| ").append(s.figures().step()).append(" | ").append(s.exitCode()).append(" | `")
                    .append(cell(s.command())).append("` | ").append(cell(s.report())).append(" |\n");
        }
        md.append("\n## Summary lines\n\nRead back as the baseline of the next guard run (`step=` lines).\n\n```\n");
        steps.forEach(s -> md.append(s.figures().line()).append('\n'));
        md.append("```\n");
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
