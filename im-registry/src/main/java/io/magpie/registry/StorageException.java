package io.magpie.registry;

/**
 * A storage operation (MySQL or Redis) failed. {@link #retryable()} says whether running the same
 * operation again can succeed: {@code true} for transient faults (deadlock, lock wait timeout,
 * lost connection, pool exhausted), {@code false} when the same input will fail again (constraint
 * violation, bad SQL, data too long) and the caller should dead-letter or back off instead.
 *
 * <p>The underlying driver exception is always chained as the cause.
 */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public StorageException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether retrying the same operation may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
