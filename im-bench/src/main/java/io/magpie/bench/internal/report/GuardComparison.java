package io.magpie.bench.internal.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Each figure of a guard run beside the same figure of the baseline, with the change: relative for throughput
 * and latency ({@code +12.5 %}), absolute for failures ({@code +3}), {@code -} where the baseline lacks the step.
 * The table is the same in the terminal and in the report (Markdown, readable as text). Stateless.
 */
public final class GuardComparison {

    /** One row of the table. */
    public record Row(String step, String figure, String current, String baseline, String change) {
    }

    private GuardComparison() {
    }

    /** Four rows per step, in the order of {@code current}: throughput, p50, p99, failures. */
    public static List<Row> rows(List<GuardFigures> current, GuardBaseline baseline) {
        List<Row> rows = new ArrayList<>();
        for (GuardFigures c : current) {
            Optional<GuardFigures> b = Optional.ofNullable(baseline.steps().get(c.step()));
            rows.add(relative(c, b, "throughput /s", GuardFigures::throughput, Numbers::whole));
            rows.add(relative(c, b, "p50 ms", GuardFigures::p50Ms, Numbers::ms));
            rows.add(relative(c, b, "p99 ms", GuardFigures::p99Ms, Numbers::ms));
            rows.add(new Row(c.step(), "errors + timeouts + lost", Long.toString(c.failures()),
                    b.map(f -> Long.toString(f.failures())).orElse("-"),
                    b.map(f -> signed(c.failures() - f.failures())).orElse("-")));
        }
        return rows;
    }

    private static Row relative(GuardFigures c, Optional<GuardFigures> b, String figure,
                                ToDoubleFunction<GuardFigures> value, java.util.function.DoubleFunction<String> format) {
        double now = value.applyAsDouble(c);
        return new Row(c.step(), figure, format.apply(now),
                b.map(f -> format.apply(value.applyAsDouble(f))).orElse("-"),
                b.map(f -> change(now, value.applyAsDouble(f))).orElse("-"));
    }

    /** {@code +12.5 %} / {@code -3.0 %}; {@code 0.0 %} when both are 0; {@code -} when only the baseline is 0. */
    static String change(double now, double before) {
        if (before == 0) {
            return now == 0 ? "0.0 %" : "-";
        }
        double pct = (now - before) / before * 100;
        return String.format(Locale.ROOT, "%+.1f %%", pct);
    }

    private static String signed(long delta) {
        return delta > 0 ? "+" + delta : Long.toString(delta);
    }

    /** The rows as a Markdown table, columns padded so it reads as plain text too. */
    public static String table(List<Row> rows) {
        String[] header = {"step", "figure", "this run", "baseline", "change"};
        int[] width = new int[header.length];
        List<String[]> cells = new ArrayList<>();
        cells.add(header);
        rows.forEach(r -> cells.add(new String[] {r.step(), r.figure(), r.current(), r.baseline(), r.change()}));
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < cells.size(); n++) {
            line(out, cells.get(n), width);
            if (n == 0) {
                String[] rule = new String[header.length];
                for (int i = 0; i < rule.length; i++) {
                    rule[i] = "-".repeat(width[i]);
                }
                line(out, rule, width);
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String[] row, int[] width) {
        out.append('|');
        for (int i = 0; i < row.length; i++) {
            boolean number = i >= 2;
            String cell = row[i];
            String pad = " ".repeat(width[i] - cell.length());
            out.append(' ').append(number ? pad + cell : cell + pad).append(" |");
        }
        out.append('\n');
    }
}
