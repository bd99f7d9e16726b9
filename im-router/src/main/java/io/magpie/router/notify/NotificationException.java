package io.magpie.router.notify;

import java.time.Duration;
import java.util.Optional;

/**
 * A {@link PushNotifier} could not deliver a notification. {@link #retryable()} says whether sending
 * the same notification again may succeed (timeout, provider overloaded or down) or not (token
 * unknown or expired, request refused as malformed): the worker retries only the former.
 * {@link #deadToken()} says the provider reported the device token itself as no longer valid (APNs
 * {@code Unregistered}/{@code BadDeviceToken}, FCM {@code UNREGISTERED}): the worker then removes the
 * token from the store, so no later message is sent to it. {@link #retryAfter()} is the wait the
 * provider asked for (HTTP {@code Retry-After}), if any.
 */
public class NotificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final boolean deadToken;
    private final transient Duration retryAfter;

    public NotificationException(String message, Throwable cause, boolean retryable) {
        this(message, cause, retryable, false, null);
    }

    private NotificationException(String message, Throwable cause, boolean retryable, boolean deadToken,
            Duration retryAfter) {
        super(message, cause);
        this.retryable = retryable;
        this.deadToken = deadToken;
        this.retryAfter = retryAfter;
    }

    /** The provider says the token will never be delivered to again: not retryable, the token is removed. */
    public static NotificationException deadToken(String message) {
        return new NotificationException(message, null, false, true, null);
    }

    /** A retryable failure whose provider asked to wait {@code retryAfter} (null: no wait asked for). */
    public static NotificationException retryAfter(String message, Duration retryAfter) {
        return new NotificationException(message, null, true, false, retryAfter);
    }

    public boolean retryable() {
        return retryable;
    }

    public boolean deadToken() {
        return deadToken;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
