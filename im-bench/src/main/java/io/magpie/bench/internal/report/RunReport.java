package io.magpie.bench.internal.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Everything one run measured, rendered by {@link MarkdownReport}, {@link SummaryLine} and
 * {@link PercentilePlot}. Immutable once built (the histograms are copies the caller no longer touches).
 *
 * @param scenario        subcommand name, e.g. {@code pair-closed}
 * @param params          the settings that define the run, in display order
 * @param command         the exact command line that ran it
 * @param startedAt       wall-clock start
 * @param measuredSeconds length of the measured window (warm-up and drain excluded)
 * @param throughput      the headline rate, in {@code throughputUnit}
 * @param latency         the headline latency distribution
 * @param latencyWhat     what the headline latency measures (from which instant to which)
 * @param failures        errors (by error code where told apart), timeouts and lost messages
 * @param reads           the recipients' READs, {@link ReadResults#OFF} when the run sent none
 * @param results         further measured values, label to value with unit, in display order
 * @param sections        extra Markdown sections (tables of a sweep, per-gate counts)
 * @param plotSeries      latency distributions to plot (the headline first)
 * @param notes           caveats that bound the numbers (shared CPU, what saturated)
 * @param machine         where it ran
 * @param durability      the MySQL durability the server ran with ({@link Durability#UNKNOWN} when not asked)
 * @param summaryFields   scenario-specific {@code key=value} fields appended to the end of the summary line
 *                        (keys and values without spaces), in order
 */
public record RunReport(String scenario, Map<String, String> params, String command, Instant startedAt,
                        double measuredSeconds, double throughput, String throughputUnit, LatencySummary latency,
                        String latencyWhat, Failures failures, ReadResults reads, Map<String, String> results,
                        List<Section> sections, List<PlotSeries> plotSeries, List<String> notes, MachineInfo machine,
                        Durability durability, Map<String, String> summaryFields) {

    /** A titled block of Markdown. */
    public record Section(String title, String markdown) {
    }

    /** One named latency distribution (microseconds) for the percentile plot. */
    public record PlotSeries(String name, Histogram micros) {
    }

    public RunReport {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(failures, "failures");
        Objects.requireNonNull(reads, "reads");
        Objects.requireNonNull(durability, "durability");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
        sections = List.copyOf(sections);
        plotSeries = List.copyOf(plotSeries);
        notes = List.copyOf(notes);
        summaryFields = Collections.unmodifiableMap(new LinkedHashMap<>(summaryFields));
    }

    public static Builder builder(String scenario) {
        return new Builder(scenario);
    }

    /** Collects a report while a run proceeds. Not thread-safe. */
    public static final class Builder {
        private final String scenario;
        private final Map<String, String> params = new LinkedHashMap<>();
        private String command = "";
        private Instant startedAt = Instant.EPOCH;
        private double measuredSeconds;
        private double throughput;
        private String throughputUnit = "ops/s";
        private LatencySummary latency = LatencySummary.EMPTY;
        private String latencyWhat = "";
        private Failures failures = Failures.NONE;
        private ReadResults reads = ReadResults.OFF;
        private final Map<String, String> results = new LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();
        private final List<PlotSeries> plotSeries = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private MachineInfo machine;
        private Durability durability = Durability.UNKNOWN;
        private final Map<String, String> summaryFields = new LinkedHashMap<>();

        private Builder(String scenario) {
            this.scenario = scenario;
        }

        public Builder param(String name, Object value) { params.put(name, String.valueOf(value)); return this; }
        public Builder command(String v) { command = v; return this; }
        public Builder startedAt(Instant v) { startedAt = v; return this; }
        public Builder measuredSeconds(double v) { measuredSeconds = v; return this; }
        public Builder throughput(double v, String unit) { throughput = v; throughputUnit = unit; return this; }
        public Builder latency(LatencySummary v, String what) { latency = v; latencyWhat = what; return this; }
        public Builder failures(Failures v) { failures = v; return this; }
        public Builder reads(ReadResults v) { reads = v; return this; }
        public Builder result(String label, String value) { results.put(label, value); return this; }
        public Builder section(String title, String markdown) { sections.add(new Section(title, markdown)); return this; }
        public Builder plot(String name, Histogram micros) { plotSeries.add(new PlotSeries(name, micros)); return this; }
        public Builder note(String v) { notes.add(v); return this; }
        public Builder machine(MachineInfo v) { machine = v; return this; }
        public Builder durability(Durability v) { durability = v; return this; }
        public Builder summaryField(String key, String value) { summaryFields.put(key, value); return this; }

        public RunReport build() {
            return new RunReport(scenario, params, command, startedAt, measuredSeconds, throughput, throughputUnit,
                    latency, latencyWhat, failures, reads, results, sections, plotSeries, notes,
                    machine == null ? MachineInfo.detect() : machine, durability, summaryFields);
        }
    }
}
