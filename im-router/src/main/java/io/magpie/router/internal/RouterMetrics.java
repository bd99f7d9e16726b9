package io.magpie.router.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The meters of the router role, tagged {@code role=router} (docs/operations.md, "Metrics"): push tasks
 * consumed, GATE_PUSH frames by outcome, recipients without a route (offline), the latency of one gate's
 * delivery and of one whole batch. Registered up front; recording is an atomic add. Thread-safe.
 */
public final class RouterMetrics {

    private final Counter tasks;
    private final Counter delivered;
    private final Counter failed;
    private final Counter gateGone;
    private final Counter offline;
    private final Timer gatePush;
    private final Timer batch;

    public RouterMetrics(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Tags tags = Tags.of("role", "router");
        tasks = Counter.builder("magpie.router.tasks").description("push tasks consumed from Kafka push")
                .tags(tags).register(registry);
        delivered = pushes(registry, tags, "delivered");
        failed = pushes(registry, tags, "failed");
        gateGone = pushes(registry, tags, "gate_gone");
        offline = Counter.builder("magpie.router.route.misses")
                .description("recipients without a live route: offline, handed to the notifier (Kafka offline)")
                .tags(tags).register(registry);
        gatePush = Timer.builder("magpie.router.push")
                .description("one gate's share of a batch: from sending its GATE_PUSH frames to its ack")
                .tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        batch = Timer.builder("magpie.router.batch")
                .description("one polled batch: route lookup to offline tasks stored (overlaps the next batch)")
                .tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    /** Meters that record into nothing (tests). */
    public static RouterMetrics none() {
        return new RouterMetrics(new CompositeMeterRegistry());
    }

    private static Counter pushes(MeterRegistry registry, Tags tags, String result) {
        return Counter.builder("magpie.router.pushes")
                .description("GATE_PUSH frames routed to gates, by outcome (delivered = acknowledged by the gate)")
                .tags(tags).tag("result", result).register(registry);
    }

    void tasks(int n) {
        tasks.increment(n);
    }

    void delivered(int pushes, long nanos) {
        delivered.increment(pushes);
        gatePush.record(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(int pushes) {
        failed.increment(pushes);
    }

    void gateGone(int pushes) {
        gateGone.increment(pushes);
    }

    void offline(int recipients) {
        offline.increment(recipients);
    }

    void batch(long nanos) {
        batch.record(nanos, TimeUnit.NANOSECONDS);
    }
}
