package io.magpie.gate;

/**
 * How a gate's drain went, for the operator's log and the admin endpoint.
 *
 * @param gateId          the drained gate
 * @param startedAtMillis when the drain began (gate clock)
 * @param elapsedMillis   from the start until the last connection left or the deadline passed
 * @param reconnectsSent  RECONNECT frames written
 * @param closedAtDeadline connections still open at the deadline, closed by the gate
 */
public record DrainReport(String gateId, long startedAtMillis, long elapsedMillis, int reconnectsSent,
                          int closedAtDeadline) {
}
