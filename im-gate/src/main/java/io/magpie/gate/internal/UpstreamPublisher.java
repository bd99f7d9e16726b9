package io.magpie.gate.internal;

import io.magpie.protocol.proto.UpstreamEnvelope;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a client request, wrapped in its envelope, to the logic tier (ARCHITECTURE §2 step 4). The
 * production implementation is {@link KafkaUpstreamPublisher}. Implementations must not block the
 * calling event loop and must be thread-safe.
 */
@FunctionalInterface
public interface UpstreamPublisher {

    /**
     * Publishes {@code envelope} keyed by {@code key} (the conversation id), so every request of one
     * conversation lands on the same partition owner.
     *
     * @return completes when the bus has the record; fails when it could not be accepted
     */
    CompletableFuture<Void> publish(String key, UpstreamEnvelope envelope);
}
