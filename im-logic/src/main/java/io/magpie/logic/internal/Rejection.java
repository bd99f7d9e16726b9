package io.magpie.logic.internal;

import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.UpstreamEnvelope;

/**
 * A request logic refuses; answered with an ERROR frame to the connection that sent it.
 *
 * @param envelope the request's envelope (reply address and request id)
 * @param code     what went wrong, as the client sees it
 * @param message  for humans: what was wrong, the limit, what to do
 * @param retryAfterMs > 0: the client may resend after this many milliseconds (RATE_LIMITED); 0 = not said
 */
public record Rejection(UpstreamEnvelope envelope, ErrorCode code, String message, long retryAfterMs) {

    public Rejection(UpstreamEnvelope envelope, ErrorCode code, String message) {
        this(envelope, code, message, 0);
    }
}
