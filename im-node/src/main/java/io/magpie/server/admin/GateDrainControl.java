package io.magpie.server.admin;

import io.magpie.gate.DrainReport;
import java.util.concurrent.CompletableFuture;

/** What the drain endpoint may do to the gate of this process. Implemented by the composition root. */
public interface GateDrainControl {

    /** Where the gate stands, for the endpoint's answers. */
    record Status(String gateId, String state, int connections, int reconnectsSent) {
    }

    /** The gate's status, or null when this process runs no gate (or it stopped). */
    Status status();

    /**
     * Starts draining the gate (idempotent); the gate role stops when the returned future completes.
     *
     * @throws IllegalStateException if there is no running gate
     */
    CompletableFuture<DrainReport> drain(String reason);
}
