package io.magpie.logic.internal;

import io.magpie.registry.StorageException;

/**
 * Decides whether a failure while storing a batch can pass by itself (a connection dropped, a lock
 * timed out, the pool is exhausted: retry) or will repeat for the same data (a value out of range,
 * a schema mismatch, a bug: don't). Storage says which through {@link StorageException#retryable()};
 * anything else is a bug and not retryable. Stateless.
 */
final class StorageFailures {

    private StorageFailures() {
    }

    static BatchRetryException classify(String what, RuntimeException e) {
        boolean retryable = e instanceof StorageException s && s.retryable();
        return new BatchRetryException(what + " failed (" + e + "); "
                + (retryable ? "the batch will be retried" : "retrying cannot help"), retryable, e);
    }
}
