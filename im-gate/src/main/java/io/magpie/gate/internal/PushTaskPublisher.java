package io.magpie.gate.internal;

import io.magpie.protocol.proto.PushTask;
import java.util.concurrent.CompletableFuture;

/**
 * Hands a push task to the routers, for frames this gate cannot deliver itself (a KICK for an older
 * session on another gate). The production implementation is {@link KafkaPushTaskPublisher}.
 * Implementations must not block the calling event loop and must be thread-safe.
 */
@FunctionalInterface
public interface PushTaskPublisher {

    /** Publishes {@code task} keyed by {@code key}; completes when the bus has it. */
    CompletableFuture<Void> publish(String key, PushTask task);
}
