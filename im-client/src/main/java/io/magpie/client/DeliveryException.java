package io.magpie.client;

/**
 * Background delivery work failed: the SYNC after a login, or a PULL for a gap that the server refused
 * for good. Reported through {@link MessageListener#onError}; the cause is the server's
 * {@link MagpieErrorException}, a timeout or a lost connection. {@link #retryable()}: the client tries
 * again by itself (a SYNC while the connection lasts, else at the next login); false: it gave up (a PULL's range
 * was skipped, or a SYNC refused for good delivers from the first seq that arrives).
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
