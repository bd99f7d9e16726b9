package io.magpie.client;

import io.magpie.protocol.ErrorCode;

/**
 * The server answered a request with an ERROR frame (or, for {@link ErrorCode#INVALID_TOKEN}, the
 * client knows the token has expired). {@link #retryable()} is the server's verdict: when true, send
 * the same request again (for SEND: with the same client message id, so it is stored once).
 */
public final class MagpieErrorException extends MagpieException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int rawCode;
    private final boolean retryable;

    public MagpieErrorException(ErrorCode code, String message, boolean retryable) {
        this(code, code.code(), message, retryable);
    }

    /**
     * @param code    the error code; {@link ErrorCode#INTERNAL} when {@code rawCode} is unknown to this client
     * @param rawCode the numeric code as received
     */
    public MagpieErrorException(ErrorCode code, int rawCode, String message, boolean retryable) {
        super(message, null);
        this.code = code;
        this.rawCode = rawCode;
        this.retryable = retryable;
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

    @Override
    public String toString() {
        return "MagpieErrorException[" + code + "(" + rawCode + ")" + (retryable ? ", retryable" : "") + "]: "
                + getMessage();
    }
}
