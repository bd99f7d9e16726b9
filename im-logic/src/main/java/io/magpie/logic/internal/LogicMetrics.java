package io.magpie.logic.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The meters of the logic role, tagged {@code role=logic} (docs/operations.md, "Metrics"): upstream batch
 * sizes and processing time, the SEND transaction's latency by outcome, SENDs received and stored.
 * Registered up front; recording is an atomic add. Thread-safe.
 */
public final class LogicMetrics {

    private final DistributionSummary batchRecords;
    private final Timer batch;
    private final Timer persistOk;
    private final Timer persistFailed;
    private final Counter sendsReceived;
    private final Counter sendsStored;

    public LogicMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Tags tags = Tags.of("role", "logic");
        batchRecords = DistributionSummary.builder("magpie.logic.upstream.batch.records")
                .description("records per polled batch of Kafka upstream").baseUnit("records")
                .tags(tags).publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0)
                .register(registry);
        batch = Timer.builder("magpie.logic.upstream.batch")
                .description("processing one polled upstream batch (store, push tasks handed to Kafka, signals)")
                .tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        persistOk = persist(registry, tags, "ok");
        persistFailed = persist(registry, tags, "failed");
        sendsReceived = Counter.builder("magpie.logic.sends.received")
                .description("SEND requests taken from upstream (replays included)").tags(tags).register(registry);
        sendsStored = Counter.builder("magpie.logic.sends.stored")
                .description("new messages committed to MySQL (a replayed SEND is not stored twice)").tags(tags)
                .register(registry);
    }

    /** Meters that record into nothing (tests). */
    public static LogicMetrics none() {
        return new LogicMetrics(new CompositeMeterRegistry());
    }

    private static Timer persist(MeterRegistry registry, Tags tags, String outcome) {
        return Timer.builder("magpie.logic.persist")
                .description("the MySQL transaction that stores one batch of SENDs (messages + conversations)")
                .tags(tags).tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    void batch(int records, long nanos) {
        batchRecords.record(records);
        batch.record(nanos, TimeUnit.NANOSECONDS);
    }

    void sendsReceived(int n) {
        sendsReceived.increment(n);
    }

    void persisted(long nanos, int stored) {
        persistOk.record(nanos, TimeUnit.NANOSECONDS);
        sendsStored.increment(stored);
    }

    void persistFailed(long nanos) {
        persistFailed.record(nanos, TimeUnit.NANOSECONDS);
    }
}
