package io.magpie.idgen;

/**
 * No id could be issued. {@link #retryable()} says whether a later call can succeed (a clock that
 * catches up, a database that comes back) or not (a lost worker id lease: the generator must be
 * replaced).
 */
public class IdGenerationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public IdGenerationException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    public IdGenerationException(String message, boolean retryable) {
        this(message, null, retryable);
    }

    public boolean retryable() {
        return retryable;
    }
}
