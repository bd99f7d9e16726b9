package io.magpie.registry;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Which gates are alive and how to reach them. A gate republishes itself periodically (well within
 * the registry TTL); a gate that stops publishing disappears from {@link #list()} once its entry
 * expires, so a crashed gate is forgotten without anyone removing it.
 *
 * <p>Implementations are thread-safe and non-blocking.
 */
public interface GateRegistry {

    /** Writes (or rewrites) the gate's entry and refreshes its time to live. */
    CompletableFuture<Void> publish(GateInfo gate);

    /** Removes the gate now (graceful shutdown). */
    CompletableFuture<Void> remove(String gateId);

    /** Every gate whose entry has not expired, ordered by gate id. */
    CompletableFuture<List<GateInfo>> list();

    /** One gate, if its entry has not expired. */
    CompletableFuture<Optional<GateInfo>> find(String gateId);
}
