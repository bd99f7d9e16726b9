package io.magpie.bench.internal.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The figures the regression guard compares for one step, and the one line that carries them in a guard report:
 * {@code step=NAME} followed by the step's {@link SummaryLine}, so a committed report is its own baseline.
 * Immutable.
 *
 * @param step       the guard step, e.g. {@code pair-closed-1x1}
 * @param throughput the headline rate (delivered msg/s, deliveries/s)
 * @param p50Ms      headline latency p50
 * @param p99Ms      headline latency p99
 * @param failures   errors + timeouts + lost messages
 * @param durability the summary line's durability value ({@code flush_log_at_trx_commit=N} or {@code unknown})
 * @param line       the whole {@code step=... scenario=...} line
 */
public record GuardFigures(String step, double throughput, double p50Ms, double p99Ms, long failures,
                           String durability, String line) {

    public GuardFigures {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(line, "line");
        if (!step.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("a guard step name is [a-z0-9-]+, got '" + step + "'");
        }
    }

    /** The figures of {@code report}, the headline report of step {@code step}. */
    public static GuardFigures of(String step, RunReport report) {
        return parse("step=" + step + " " + SummaryLine.of(report));
    }

    /**
     * Parses a {@code step=NAME scenario=... throughput=N p50_ms=N p99_ms=N ... errors=N timeouts=N lost=N ...}
     * line. A line without {@code durability} (none is written without) reads as {@code unknown}.
     *
     * @throws IllegalArgumentException naming the field that is missing or not a number
     */
    public static GuardFigures parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.strip().split(" +")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        String step = required(fields, "step", line);
        return new GuardFigures(step, number(fields, "throughput", line), number(fields, "p50_ms", line),
                number(fields, "p99_ms", line),
                (long) (number(fields, "errors", line) + number(fields, "timeouts", line) + number(fields, "lost", line)),
                fields.getOrDefault("durability", "unknown"), line.strip());
    }

    private static String required(Map<String, String> fields, String key, String line) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("guard line has no " + key + "=: " + line);
        }
        return v;
    }

    private static double number(Map<String, String> fields, String key, String line) {
        String v = required(fields, key, line);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("guard line has " + key + "=" + v + ", not a number: " + line, e);
        }
    }
}
