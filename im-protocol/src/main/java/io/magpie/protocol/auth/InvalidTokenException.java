package io.magpie.protocol.auth;

/** A token that is malformed, signed with another key, or expired. Not retryable: log in again. */
public final class InvalidTokenException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message);
    }
}
