package io.magpie.client;

/**
 * The request could not be completed because there was no usable connection: it dropped while the
 * request was in flight, or the client was not connected when it was made. Always retryable: once
 * {@link ConnectionState#CONNECTED} again, resend (a SEND with the same client message id is stored once).
 */
public final class ConnectionLostException extends MagpieException {

    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) {
        super(message, null);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
