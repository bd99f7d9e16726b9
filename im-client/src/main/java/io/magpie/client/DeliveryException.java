package io.magpie.client;

/**
 * Background delivery work failed: the SYNC after a login, or a PULL for a gap that the server refused
 * for good. Reported through {@link MessageListener#onError}; the cause is the server's
 * {@link MagpieErrorException}, a timeout or a lost connection. {@link #retryable()}: the client tries
 * again by itself (at the next login for a sync); false: the range was skipped.
 */
public final class DeliveryException extends MagpieException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public DeliveryException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
