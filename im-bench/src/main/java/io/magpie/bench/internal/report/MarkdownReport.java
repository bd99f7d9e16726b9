package io.magpie.bench.internal.report;

import java.util.Map;

/**
 * Renders a {@link RunReport} as the Markdown file a person reads: headline, latency percentiles,
 * failures (errors by code), READs when the run sent them, further results and sections, caveats, then machine, JVM and the exact command. Stateless.
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(RunReport r, String plotFileName) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(r.scenario()).append(" — ").append(r.startedAt()).append("\n\n");
        md.append("```\n").append(r.command()).append("\n```\n\n");
        md.append("| parameter | value |\n|---|---|\n");
        r.params().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n"));
        md.append("\n## Result\n\n");
        md.append("| measure | value |\n|---|---|\n");
        md.append("| throughput | ").append(Numbers.whole(r.throughput())).append(' ').append(r.throughputUnit())
                .append(" |\n");
        md.append("| durability (MySQL) | ").append(cell(r.durability().describe())).append(" |\n");
        md.append("| measured window | ").append(String.format(java.util.Locale.ROOT, "%.1f s", r.measuredSeconds()))
                .append(" |\n");
        Failures f = r.failures();
        md.append("| errors | ").append(f.errorCodes().withTotal(f.errors())).append(" |\n");
        md.append("| timeouts | ").append(f.timeouts()).append(" |\n");
        md.append("| lost (acked, never delivered) | ").append(f.lost()).append(" |\n");
        ReadResults reads = r.reads();
        if (reads.enabled()) {
            md.append("| READs sent (every delivered message with seq % ").append(reads.every())
                    .append(" == 0; whole run) | ").append(reads.issued()).append(" |\n");
            md.append("| READ_ACKs received | ").append(reads.acked()).append(" |\n");
            md.append("| READs sent / s in the window | ").append(Numbers.whole(reads.perSecond())).append(" |\n");
            md.append("| READ -> READ_ACK p50 / p99 / max (ms) | ").append(Numbers.ms(reads.latency().p50Ms()))
                    .append(" / ").append(Numbers.ms(reads.latency().p99Ms())).append(" / ")
                    .append(Numbers.ms(reads.latency().maxMs())).append(" |\n");
            md.append("| READ errors | ").append(reads.errorCodes().withTotal(reads.errors())).append(" |\n");
            md.append("| READ timeouts | ").append(reads.timeouts()).append(" |\n");
        }
        for (Map.Entry<String, String> e : r.results().entrySet()) {
            md.append("| ").append(cell(e.getKey())).append(" | ").append(cell(e.getValue())).append(" |\n");
        }
        LatencySummary l = r.latency();
        md.append("\n## Latency (ms): ").append(r.latencyWhat()).append("\n\n");
        md.append("| samples | mean | p50 | p90 | p99 | p99.9 | max |\n|---|---|---|---|---|---|---|\n");
        md.append("| ").append(l.count()).append(" | ").append(Numbers.ms(l.meanMs())).append(" | ")
                .append(Numbers.ms(l.p50Ms())).append(" | ").append(Numbers.ms(l.p90Ms())).append(" | ")
                .append(Numbers.ms(l.p99Ms())).append(" | ").append(Numbers.ms(l.p999Ms())).append(" | ")
                .append(Numbers.ms(l.maxMs())).append(" |\n");
        if (plotFileName != null) {
            md.append("\nPercentile plot: [").append(plotFileName).append("](").append(plotFileName).append(")\n");
        }
        for (RunReport.Section s : r.sections()) {
            md.append("\n## ").append(s.title()).append("\n\n").append(s.markdown().strip()).append('\n');
        }
        if (!r.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            r.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        }
        MachineInfo m = r.machine();
        md.append("\n## Machine\n\n");
        md.append("- cores: ").append(m.cores()).append(" (").append(m.cpuModel()).append(")\n");
        md.append("- memory: ").append(m.memoryBytes() == 0 ? "unknown" : Numbers.bytes(m.memoryBytes())).append('\n');
        md.append("- OS: ").append(m.os()).append('\n');
        md.append("- load average (1 min) at start: ")
                .append(String.format(java.util.Locale.ROOT, "%.2f", m.loadAverage())).append('\n');
        md.append("- JVM: ").append(m.jvm()).append('\n');
        md.append("- JVM arguments: `").append(String.join(" ", m.jvmArgs())).append("`\n");
        md.append("\n## Summary line\n\n```\n").append(SummaryLine.of(r)).append("\n```\n");
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
