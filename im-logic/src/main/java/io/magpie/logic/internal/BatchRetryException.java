package io.magpie.logic.internal;

/**
 * A batch could not be finished (storage or Kafka failed); nothing of it was acknowledged to a
 * client beyond what a retry repeats, and its offsets must not be committed. {@link #retryable()}
 * false means repeating the same batch will fail the same way (bad data, a bug).
 */
public final class BatchRetryException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public BatchRetryException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
