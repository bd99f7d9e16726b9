package io.magpie.client;

import io.magpie.protocol.ErrorCode;
import java.time.Duration;
import java.util.Objects;

/**
 * The server answered a request with an ERROR frame (or, for {@link ErrorCode#INVALID_TOKEN}, the
 * client knows the token has expired). {@link #retryable()} is the server's verdict: when true, send
 * the same request again (for SEND: with the same client message id, so it is stored once), not before
 * {@link #retryAfter()}.
 *
 * <p>{@link ErrorCode#RATE_LIMITED} reaches a request's future only after the client's own resends ran out
 * ({@link ClientConfig#rateLimitRetries()}) or the request timeout left no time to wait; the message then says
 * how often the request was refused and the retry-after the gate asked for. Immutable.
 */
public final class MagpieErrorException extends MagpieException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int rawCode;
    private final boolean retryable;
    private final Duration retryAfter;

    public MagpieErrorException(ErrorCode code, String message, boolean retryable) {
        this(code, code.code(), message, retryable);
    }

    /**
     * @param code    the error code; {@link ErrorCode#INTERNAL} when {@code rawCode} is unknown to this client
     * @param rawCode the numeric code as received
     */
    public MagpieErrorException(ErrorCode code, int rawCode, String message, boolean retryable) {
        this(code, rawCode, message, retryable, Duration.ZERO);
    }

    /**
     * @param retryAfter the server's {@code Error.retry_after_ms}: do not resend before it has passed;
     *                   {@link Duration#ZERO} when the server gave no advice
     */
    public MagpieErrorException(ErrorCode code, int rawCode, String message, boolean retryable, Duration retryAfter) {
        super(message, null);
        this.code = code;
        this.rawCode = rawCode;
        this.retryable = retryable;
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter").isNegative() ? Duration.ZERO : retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** The numeric code the server sent, also for codes newer than this client. */
    public int rawCode() {
        return rawCode;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }

    /**
     * How long to wait before sending the same request again, from the server's {@code Error.retry_after_ms}
     * ({@code RATE_LIMITED}: until the connection's budget has a token again; {@code SERVER_BUSY}: a pause
     * for a slow message bus); {@link Duration#ZERO} when the server gave no advice (use your own backoff).
     */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public String toString() {
        return "MagpieErrorException[" + code + "(" + rawCode + ")" + (retryable ? ", retryable" : "")
                + (retryAfter.isZero() ? "" : ", retry after " + retryAfter.toMillis() + " ms") + "]: " + getMessage();
    }
}
