package io.magpie.router.notify;

import java.util.concurrent.CompletableFuture;

/**
 * Delivers push notifications through one provider (a webhook, APNs, FCM...). The plug point for
 * provider adapters: implement this and register the instance under its provider name in a
 * {@link PushNotifierRegistry}; tokens registered with that provider name
 * ({@code PUT /v1/devices/{deviceId}/push-token {provider, token}}) are then sent through it.
 *
 * <p>Contract: {@link #send} must not block (return a future completed later); the future completes
 * when the provider accepted the notification, or fails with a {@link NotificationException} saying
 * whether a retry can help (any other exception counts as retryable). The worker bounds every call
 * with its send timeout and retries retryable failures with backoff a bounded number of times, so a
 * notification may be sent more than once (at least once; providers collapse repeats poorly, keep
 * them rare). Implementations must be thread-safe; their lifecycle belongs to whoever created them.
 */
public interface PushNotifier {

    CompletableFuture<Void> send(PushNotification notification);
}
