package io.magpie.client;

/**
 * Base of every failure the client SDK reports. {@link #retryable()} tells whether the same request
 * (a send with the same client message id, a login, a gate lookup) may succeed if tried again.
 */
public abstract class MagpieException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected MagpieException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when trying the same request again later can succeed. */
    public abstract boolean retryable();
}
