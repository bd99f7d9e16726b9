package io.magpie.router.internal;

/**
 * A batch of push tasks was not fully delivered (a registered gate did not acknowledge, routes
 * could not be read, an offline task was not stored). Always retryable: the batch is sent again
 * after a backoff and its offsets are not committed until it succeeds.
 */
public final class PushDeliveryException extends Exception {

    private static final long serialVersionUID = 1L;

    public PushDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
