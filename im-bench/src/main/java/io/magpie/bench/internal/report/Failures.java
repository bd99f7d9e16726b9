package io.magpie.bench.internal.report;

import java.util.Objects;

/**
 * What went wrong in a run, counted, never hidden. Immutable.
 *
 * @param errors     requests the server (or the connection) refused: ERROR frames, failed connects/logins,
 *                   connections lost with a request in flight
 * @param timeouts   requests not answered, or messages not delivered, within the timeout
 * @param lost       messages the server acknowledged (SEND_ACK = durable) that a recipient never received
 *                   before the run ended (after the drain period); for fan-out, missing deliveries
 * @param errorCodes {@code errors} by error code name, when the scenario tells them apart (else empty)
 */
public record Failures(long errors, long timeouts, long lost, ErrorBreakdown errorCodes) {

    public static final Failures NONE = new Failures(0, 0, 0);

    public Failures {
        Objects.requireNonNull(errorCodes, "errorCodes");
    }

    /** Failures whose errors are not broken down by code. */
    public Failures(long errors, long timeouts, long lost) {
        this(errors, timeouts, lost, ErrorBreakdown.EMPTY);
    }

    public long total() {
        return errors + timeouts + lost;
    }
}
