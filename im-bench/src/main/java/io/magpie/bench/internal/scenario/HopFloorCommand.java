package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.floor.HopFloor;
import io.magpie.bench.internal.report.ReportWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench hop-floor}: what one message's hops cost on this machine before any of Magpie's own work. It
 * times, one at a time after an idle gap (a quiet conversation's), one round trip to the running server's MySQL,
 * one record through its Kafka with the bus's client settings and a thread hand-off; then adds up the floor of the
 * 1 x 1 path's store-and-forward part ({@link HopFloor}). A goal below that floor cannot be met on this machine by
 * tuning Magpie (issue 14 point 2).
 */
@Command(name = "hop-floor", mixinStandardHelpOptions = true,
        description = "Time a MySQL round trip, a Kafka hop (bus settings) and a thread hand-off one at a time"
                + " after an idle gap, against a running server's MySQL and Kafka (their addresses are in the"
                + " standalone's 'ready' line); print each one's percentiles and the floor of the 1 x 1 path.")
public final class HopFloorCommand implements Callable<Integer> {

    /** Below the consumer's {@code fetch.max.wait.ms} (500 ms), so its next fetch still waits at the broker. */
    static final Duration MAX_GAP = Duration.ofMillis(400);

    @Mixin
    FloorServerOptions servers = new FloorServerOptions();

    @Option(names = "--samples", defaultValue = "2000", paramLabel = "N",
            description = "samples per probe after the warm-up ones (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--warmup-samples", defaultValue = "20000", paramLabel = "N",
            description = "samples per probe taken first, back to back, and not counted: they get this JVM's"
                    + " clients compiled (default: ${DEFAULT-VALUE})")
    int warmupSamples;

    @Option(names = "--gap", defaultValue = "5ms", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "idle time before each sample, as between one message's hops at one in flight"
                    + " (default: ${DEFAULT-VALUE})")
    Duration gap;

    @Option(names = "--results-dir", defaultValue = "bench-results", paramLabel = "DIR",
            description = "where the report goes (default: ${DEFAULT-VALUE})")
    Path resultsDir;

    @Override
    public Integer call() throws Exception {
        HopFloor.Settings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("hop-floor: " + e.getMessage());
            return 2;
        }
        Instant started = Instant.now();
        HopFloor.Floor floor;
        try {
            floor = HopFloor.measure(settings, HopFloor.newRunId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("hop-floor: interrupted");
            return 1;
        } catch (Exception e) {
            System.err.println("hop-floor: " + HopFloor.why(e));
            return 1;
        }
        String markdown = markdown(started, floor);
        System.out.print(markdown);
        try {
            Path report = new ReportWriter(resultsDir).writeMarkdown("hop-floor-" + ReportWriter.stamp(started),
                    markdown);
            System.out.println("report: " + report.toAbsolutePath());
        } catch (java.io.UncheckedIOException e) {
            System.err.println("hop-floor: " + e.getMessage() + "; the summary line below has the figures");
        }
        System.out.println("scenario=hop-floor gap=" + gap.toMillis() + "ms samples=" + samples + " " + floor.fields());
        return 0;
    }

    /** The validated settings. */
    HopFloor.Settings settings() {
        if (samples < 100 || samples > 1_000_000) {
            throw new IllegalArgumentException("--samples must be 100..1000000, got " + samples);
        }
        if (warmupSamples < 0 || warmupSamples > 1_000_000) {
            throw new IllegalArgumentException("--warmup-samples must be 0..1000000, got " + warmupSamples);
        }
        if (gap.isNegative() || gap.compareTo(MAX_GAP) > 0) {
            throw new IllegalArgumentException("--gap must be 0.." + MAX_GAP.toMillis() + "ms (a consumer's waiting"
                    + " fetch returns empty after fetch.max.wait.ms, 500 ms), got " + DurationConverter.format(gap));
        }
        return servers.settings(samples, warmupSamples, gap);
    }

    private String markdown(Instant started, HopFloor.Floor floor) {
        StringBuilder md = new StringBuilder();
        md.append("# hop-floor ").append(started).append("\n\n");
        md.append(String.format(Locale.ROOT, "One sample at a time, %d ms idle before each; %d samples per probe after"
                + " %d back to back not counted. Kafka %s, MySQL %s. Microseconds.%n%n", gap.toMillis(), samples,
                warmupSamples, servers.kafka, servers.mysql));
        md.append("| probe | what one sample is | p50 | p90 | p99 | p99.9 |\n|---|---|---:|---:|---:|---:|\n");
        for (HopFloor.Result r : floor.results()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %.0f | %.0f | %.0f | %.0f |%n", r.name(),
                    r.description(), r.micros(50), r.micros(90), r.micros(99), r.micros(99.9)));
        }
        md.append(String.format(Locale.ROOT, "%nFloor of the 1 x 1 path's store-and-forward part (%d Kafka hops +"
                + " %d MySQL round trips, each percentile summed: the sum's own median is usually higher, the p99 is"
                + " an indication only): p50 %.2f ms, p99 %.2f ms. Thread hand-offs, the gate and router, the client's network legs and"
                + " Magpie's own work come on top.%n", HopFloor.KAFKA_HOPS, HopFloor.MYSQL_ROUND_TRIPS,
                floor.millis(50), floor.millis(99)));
        return md.toString();
    }
}
