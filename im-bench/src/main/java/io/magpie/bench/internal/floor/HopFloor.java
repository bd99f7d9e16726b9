package io.magpie.bench.internal.floor;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs the floor's probes one at a time after an idle gap and adds up the floor of the 1 x 1 path's
 * store-and-forward part: {@link #KAFKA_HOPS} Kafka hops (gate -> logic, logic -> router) and the logic writer's
 * {@link #MYSQL_ROUND_TRIPS} round trips per one-message batch. Used by {@code bench hop-floor} and
 * {@code bench guard}.
 */
public final class HopFloor {

    /** The 1 x 1 path's Kafka hops: gate -> logic, logic -> router. */
    public static final int KAFKA_HOPS = 2;
    /** The logic writer's round trips per one-message batch. */
    public static final int MYSQL_ROUND_TRIPS = 3;
    /** The longest sample recorded as it is; a longer one (a stall) is recorded as this. */
    private static final long LONGEST_NANOS = Duration.ofSeconds(60).toNanos();

    /**
     * What to measure and how.
     *
     * @param kafka         the server's Kafka bootstrap address
     * @param jdbcUrl       its MySQL
     * @param samples       counted samples per probe, each after {@code gap} idle
     * @param warmupSamples samples per probe taken first, back to back, not counted (they compile this JVM's clients)
     */
    public record Settings(String kafka, String jdbcUrl, String mysqlUser, String mysqlPassword, int samples,
                           int warmupSamples, Duration gap) {
        public Settings {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(gap, "gap");
        }
    }

    /** One probe's counted samples (nanoseconds). */
    public record Result(String name, String description, Histogram histogram) {
        public double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** Every probe's result, in run order, and the floor they add up to. */
    public record Floor(List<Result> results) {
        public Floor {
            results = List.copyOf(results);
        }

        /**
         * The floor at one percentile, in milliseconds: each hop's percentile summed. At p50 the sum's own median
         * is usually higher (hops from idle are skewed to the right); at p99 the figure is an indication only,
         * neither a bound nor the sum's percentile.
         */
        public double millis(double percentile) {
            return (KAFKA_HOPS * find("kafka_hop").micros(percentile)
                    + MYSQL_ROUND_TRIPS * find("mysql_round_trip").micros(percentile)) / 1000.0;
        }

        /** {@code kafka_hop_p50_us=... ... floor_p50_ms=... floor_p99_ms=...}: the figures on one line. */
        public String fields() {
            StringBuilder line = new StringBuilder();
            for (Result r : results) {
                line.append(String.format(Locale.ROOT, "%s_p50_us=%.0f %s_p99_us=%.0f ", r.name(), r.micros(50),
                        r.name(), r.micros(99)));
            }
            return line.append(String.format(Locale.ROOT, "floor_p50_ms=%.2f floor_p99_ms=%.2f", millis(50),
                    millis(99))).toString();
        }

        private Result find(String name) {
            return results.stream().filter(r -> r.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + name + " result"));
        }
    }

    private HopFloor() {
    }

    /**
     * What to tell the user when {@link #measure} failed: the probes' own messages say what was unreachable and what
     * to check; anything else is unexpected and named with its class.
     */
    public static String why(Exception failure) {
        return failure instanceof SQLException || failure instanceof IllegalStateException
                ? failure.getMessage() : "unexpected: " + failure;
    }

    /** A random id for a run's own Kafka topic and group. */
    public static String newRunId() {
        return Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36);
    }

    /**
     * Measures a MySQL round trip, a Kafka hop on a topic of the run's own ({@code runId}) and a thread hand-off.
     *
     * @throws SQLException          MySQL was not reachable
     * @throws IllegalStateException Kafka was not reachable or did not hand a record back
     */
    public static Floor measure(Settings settings, String runId) throws Exception {
        List<Result> results = new ArrayList<>();
        try (FloorProbe mysql = new MysqlRoundTripProbe(settings.jdbcUrl(), settings.mysqlUser(),
                settings.mysqlPassword())) {
            results.add(measure(mysql, settings));
        }
        try (FloorProbe kafkaHop = new KafkaHopProbe(settings.kafka(), runId)) {
            results.add(measure(kafkaHop, settings));
        }
        try (FloorProbe handOff = new HandOffProbe()) {
            results.add(measure(handOff, settings));
        }
        return new Floor(results);
    }

    private static Result measure(FloorProbe probe, Settings settings) throws Exception {
        Histogram histogram = new Histogram(LONGEST_NANOS, 3);
        for (int i = 0; i < settings.warmupSamples(); i++) {
            probe.sampleNanos();
        }
        for (int i = 0; i < settings.samples(); i++) {
            LockSupport.parkNanos(settings.gap().toNanos());
            histogram.recordValue(Math.min(probe.sampleNanos(), LONGEST_NANOS));
        }
        return new Result(probe.name(), probe.description(), histogram);
    }
}
