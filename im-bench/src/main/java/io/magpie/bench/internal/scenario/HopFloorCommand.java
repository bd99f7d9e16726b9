package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.floor.HandOffProbe;
import io.magpie.bench.internal.floor.FloorProbe;
import io.magpie.bench.internal.floor.KafkaHopProbe;
import io.magpie.bench.internal.floor.MysqlRoundTripProbe;
import io.magpie.bench.internal.report.ReportWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench hop-floor}: what one message's hops cost on this machine before any of Magpie's own work. It
 * times, one at a time after an idle gap (a quiet conversation's), a thread hand-off, one record through
 * the running server's Kafka with the bus's client settings, and one round trip to its MySQL; then adds up
 * the floor of the 1 x 1 path's store-and-forward part: two Kafka hops and the logic writer's three round
 * trips. A goal below that floor cannot be met on this machine by tuning Magpie (issue 14 point 2).
 */
@Command(name = "hop-floor", mixinStandardHelpOptions = true,
        description = "Time a thread hand-off, a Kafka hop (bus settings) and a MySQL round trip one at a time"
                + " after an idle gap, against a running server's Kafka and MySQL (their addresses are in the"
                + " standalone's 'ready' line); print each one's percentiles and the floor of the 1 x 1 path.")
public final class HopFloorCommand implements Callable<Integer> {

    /** The 1 x 1 path's Kafka hops (gate -> logic, logic -> router) and the writer's round trips per batch. */
    static final int KAFKA_HOPS = 2;
    static final int MYSQL_ROUND_TRIPS = 3;

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT",
            description = "the server's Kafka bootstrap address (loopback)")
    String kafka;

    @Option(names = "--mysql", required = true, paramLabel = "HOST:PORT",
            description = "the server's MySQL (loopback); the standalone's embedded MariaDB takes any user")
    String mysql;

    @Option(names = "--mysql-user", defaultValue = "root", description = "MySQL user (default: ${DEFAULT-VALUE})")
    String mysqlUser;

    @Option(names = "--mysql-password", defaultValue = "", description = "MySQL password (default: none)")
    String mysqlPassword;

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

    /** One probe's samples. */
    record Result(String name, String description, Histogram histogram) {
        double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    @Override
    public Integer call() throws Exception {
        try {
            validate();
        } catch (IllegalArgumentException e) {
            System.err.println("hop-floor: " + e.getMessage());
            return 2;
        }
        Instant started = Instant.now();
        String runId = Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36);
        List<Result> results = new ArrayList<>();
        try {
            try (FloorProbe mysqlTrip = new MysqlRoundTripProbe(jdbcUrl(), mysqlUser, mysqlPassword)) {
                results.add(measure(mysqlTrip));
            }
            try (FloorProbe kafkaHop = new KafkaHopProbe(kafka, runId)) {
                results.add(measure(kafkaHop));
            }
            try (FloorProbe handOff = new HandOffProbe()) {
                results.add(measure(handOff));
            }
        } catch (SQLException | IllegalStateException e) {
            System.err.println("hop-floor: " + e.getMessage());
            return 1;
        }
        String markdown = markdown(started, results);
        System.out.print(markdown);
        Path report = new ReportWriter(resultsDir).writeMarkdown("hop-floor-" + ReportWriter.stamp(started),
                markdown);
        System.out.println(summary(results));
        System.out.println("report: " + report.toAbsolutePath());
        return 0;
    }

    void validate() {
        if (samples < 100 || samples > 1_000_000) {
            throw new IllegalArgumentException("--samples must be 100..1000000, got " + samples);
        }
        if (warmupSamples < 0 || warmupSamples > 1_000_000) {
            throw new IllegalArgumentException("--warmup-samples must be 0..1000000, got " + warmupSamples);
        }
        if (gap.isNegative() || gap.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("--gap must be 0..1s, got " + gap);
        }
        requireLoopback("--kafka", kafka);
        requireLoopback("--mysql", mysql);
    }

    /** Load tools aim at loopback only. */
    static void requireLoopback(String option, String hostPort) {
        URI uri = URI.create("tcp://" + hostPort);
        if (uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + hostPort + "'");
        }
        try {
            if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException(option + " must be a loopback address (the load tool measures"
                        + " this machine only), got " + hostPort);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": unknown host " + uri.getHost(), e);
        }
    }

    private String jdbcUrl() {
        return "jdbc:mysql://" + mysql + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    private Result measure(FloorProbe probe) throws Exception {
        Histogram histogram = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
        for (int i = 0; i < warmupSamples; i++) {
            probe.sampleNanos();
        }
        for (int i = 0; i < samples; i++) {
            LockSupport.parkNanos(gap.toNanos());
            histogram.recordValue(probe.sampleNanos());
        }
        return new Result(probe.name(), probe.description(), histogram);
    }

    /** The floor of the path's store-and-forward part at one percentile: its Kafka hops and round trips. */
    static double floorMillis(List<Result> results, double percentile) {
        double kafkaHop = find(results, "kafka_hop").micros(percentile);
        double roundTrip = find(results, "mysql_round_trip").micros(percentile);
        return (KAFKA_HOPS * kafkaHop + MYSQL_ROUND_TRIPS * roundTrip) / 1000.0;
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " result"));
    }

    private String markdown(Instant started, List<Result> results) {
        StringBuilder md = new StringBuilder();
        md.append("# hop-floor ").append(started).append("\n\n");
        md.append(String.format(Locale.ROOT, "One sample at a time, %d ms idle before each; %d samples per probe after"
                + " %d back to back not counted. Kafka %s, MySQL %s. Microseconds.%n%n", gap.toMillis(), samples, warmupSamples, kafka,
                mysql));
        md.append("| probe | what one sample is | p50 | p90 | p99 | p99.9 |\n|---|---|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %.0f | %.0f | %.0f | %.0f |%n", r.name(),
                    r.description(), r.micros(50), r.micros(90), r.micros(99), r.micros(99.9)));
        }
        md.append(String.format(Locale.ROOT, "%nFloor of the 1 x 1 path's store-and-forward part (%d Kafka hops +"
                + " %d MySQL round trips, each percentile summed, so the p99 is an upper bound of theirs): p50"
                + " %.2f ms, p99 %.2f ms. Thread hand-offs, the gate and router, the client's network legs and"
                + " Magpie's own work come on top.%n", KAFKA_HOPS, MYSQL_ROUND_TRIPS, floorMillis(results, 50),
                floorMillis(results, 99)));
        return md.toString();
    }

    private String summary(List<Result> results) {
        StringBuilder line = new StringBuilder("scenario=hop-floor");
        line.append(" gap=").append(gap.toMillis()).append("ms samples=").append(samples);
        for (Result r : results) {
            line.append(String.format(Locale.ROOT, " %s_p50_us=%.0f %s_p99_us=%.0f", r.name(), r.micros(50),
                    r.name(), r.micros(99)));
        }
        line.append(String.format(Locale.ROOT, " floor_p50_ms=%.2f floor_p99_ms=%.2f", floorMillis(results, 50),
                floorMillis(results, 99)));
        return line.toString();
    }
}
