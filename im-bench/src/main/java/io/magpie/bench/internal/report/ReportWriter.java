package io.magpie.bench.internal.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes a run's report as {@code <dir>/<scenario>-<yyyyMMdd-HHmmss>.md} plus the percentile plot
 * {@code .html} beside it, and returns where. Thread-safe (stateless apart from the target directory).
 */
public final class ReportWriter {

    /** Where the files went. */
    public record Written(Path markdown, Path plot) {
    }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Path dir;

    public ReportWriter(Path dir) {
        this.dir = dir;
    }

    /** The base name (no extension) of a report: {@code pair-open-20250101-120000}. */
    public static String baseName(RunReport report) {
        return report.scenario() + "-" + STAMP.format(report.startedAt());
    }

    /** {@code yyyyMMdd-HHmmss} in UTC: the time part of every report's file name. */
    public static String stamp(java.time.Instant instant) {
        return STAMP.format(instant);
    }

    /** Writes {@code <dir>/<baseName>.md} (a report that is not a {@link RunReport}, e.g. the guard's). */
    public Path writeMarkdown(String baseName, String markdown) {
        Path md = dir.resolve(baseName + ".md");
        try {
            Files.createDirectories(dir);
            Files.writeString(md, markdown, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + md.toAbsolutePath()
                    + " (check --results-dir is writable)", e);
        }
        return md;
    }

    public Written write(RunReport report) {
        String base = baseName(report);
        Path md = dir.resolve(base + ".md");
        Path html = report.plotSeries().isEmpty() ? null : dir.resolve(base + ".html");
        try {
            Files.createDirectories(dir);
            if (html != null) {
                Files.writeString(html, PercentilePlot.html(report.scenario() + " — latency by percentile ("
                        + report.latencyWhat() + ")", report.plotSeries()), StandardCharsets.UTF_8);
            }
            Files.writeString(md, MarkdownReport.render(report, html == null ? null : html.getFileName().toString()),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + md.toAbsolutePath()
                    + " (check --results-dir is writable); the summary line above has the numbers", e);
        }
        return new Written(md, html);
    }
}
