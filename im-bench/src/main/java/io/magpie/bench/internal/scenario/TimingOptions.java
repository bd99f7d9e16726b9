package io.magpie.bench.internal.scenario;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a message scenario warms up, measures and drains, and when a message counts as not delivered. */
public final class TimingOptions {

    @Option(names = {"-d", "--duration"}, defaultValue = "30s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "measured window (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = {"-w", "--warmup"}, defaultValue = "5s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "load before the window, not measured (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--drain", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "after the window, wait at most this long for outstanding acks and deliveries; what is"
                    + " acked but undelivered then is reported lost (default: ${DEFAULT-VALUE})")
    Duration drain;

    @Option(names = "--delivery-timeout", defaultValue = "10s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "a message not delivered this long after its send counts as a timeout (default: ${DEFAULT-VALUE})")
    Duration deliveryTimeout;

    @Option(names = "--payload-bytes", defaultValue = "32", paramLabel = "N",
            description = "text length of each message (default: ${DEFAULT-VALUE})")
    int payloadBytes;

    public void validate() {
        positive("--duration", duration);
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        }
        positive("--drain", drain);
        positive("--delivery-timeout", deliveryTimeout);
        if (duration.compareTo(Duration.ofHours(24)) > 0 || warmup.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--duration is limited to 24h and --warmup to 1h");
        }
        if (payloadBytes < 1 || payloadBytes > 60_000) {
            throw new IllegalArgumentException("--payload-bytes must be 1..60000 (the gate's frame limit is 64 KiB),"
                    + " got " + payloadBytes);
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** A text of {@code payloadBytes} ASCII characters. */
    public String payload() {
        return "x".repeat(payloadBytes);
    }
}
