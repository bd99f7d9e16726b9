package io.magpie.client;

/**
 * An HTTP API (account API, LSB) answered with an error, or could not be reached.
 *
 * <p>{@link #status()} is the HTTP status, or 0 when no response arrived (connection refused, timeout);
 * {@link #code()} is the server's machine code from the {@code {code, message}} body (e.g.
 * {@code NO_GATE}, {@code USERNAME_TAKEN}), {@code HTTP_<status>} when the body had none, or
 * {@code UNREACHABLE} for status 0. Retryable when no response arrived, on 429 and on 5xx.
 */
public final class MagpieApiException extends MagpieException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public MagpieApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public MagpieApiException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    @Override
    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }

    @Override
    public String toString() {
        return "MagpieApiException[" + status + " " + code + "]: " + getMessage();
    }
}
