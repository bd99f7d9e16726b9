package io.magpie.bench.internal.report;

import java.util.Objects;

/**
 * What the recipients' READs (mark read up to a delivered message, READ -> READ_ACK) did in a message
 * scenario run with {@code --read}/{@code --read-every}. {@link #OFF} when the run sent no READs. Immutable.
 *
 * @param every      a recipient marks read every delivered message whose seq is a multiple of this; 0 = off
 * @param issued     READs sent over the whole run
 * @param acked      READ_ACKs received over the whole run
 * @param perSecond  READs sent per second inside the measured window
 * @param latency    READ -> READ_ACK of the READs sent inside the measured window
 * @param errors     READs answered with an ERROR or lost with their connection
 * @param timeouts   READs without a READ_ACK within the request timeout
 * @param errorCodes {@code errors} by error code name
 */
public record ReadResults(int every, long issued, long acked, double perSecond, LatencySummary latency, long errors,
                          long timeouts, ErrorBreakdown errorCodes) {

    public static final ReadResults OFF = new ReadResults(0, 0, 0, 0, LatencySummary.EMPTY, 0, 0, ErrorBreakdown.EMPTY);

    public ReadResults {
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(errorCodes, "errorCodes");
    }

    public boolean enabled() {
        return every > 0;
    }

    /** READs that failed: errors and timeouts. */
    public long failures() {
        return errors + timeouts;
    }
}
