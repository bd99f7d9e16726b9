package io.magpie.hooks.internal;

/**
 * The after-send endpoint did not take a request (network error, timeout, non-2xx). Always worth a retry: the
 * batch is polled again after a backoff and the events not yet taken are sent again.
 */
public final class HookDeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    public HookDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
