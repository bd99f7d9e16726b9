package io.magpie.client;

/**
 * No answer arrived within the request timeout. The request may still have been processed: resend
 * it unchanged (a SEND with the same client message id returns the original ack). Retryable.
 */
public final class RequestTimeoutException extends MagpieException {

    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message, null);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
