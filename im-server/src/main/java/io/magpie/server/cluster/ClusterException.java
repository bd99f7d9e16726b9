package io.magpie.server.cluster;

/** {@code magpie cluster} could not do what was asked; the message says what and what to do about it. */
public final class ClusterException extends RuntimeException {

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
