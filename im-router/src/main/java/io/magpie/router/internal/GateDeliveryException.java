package io.magpie.router.internal;

/**
 * A GATE_PUSH was not acknowledged: the gate could not be reached, the connection dropped, the ack
 * did not come in time, or the gate answered with an ERROR. Retryable: the batch is pushed again
 * (clients dedupe repeated pushes).
 */
public final class GateDeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String gateId;

    public GateDeliveryException(String gateId, String message, Throwable cause) {
        super("[gate " + gateId + "] " + message, cause);
        this.gateId = gateId;
    }

    public String gateId() {
        return gateId;
    }
}
