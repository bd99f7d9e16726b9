package io.magpie.router.notify;

/**
 * A {@link PushNotifier} could not deliver a notification. {@link #retryable()} says whether sending
 * the same notification again may succeed (timeout, provider overloaded or down) or not (token
 * unknown or expired, request refused as malformed): the worker retries only the former.
 */
public class NotificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public NotificationException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
