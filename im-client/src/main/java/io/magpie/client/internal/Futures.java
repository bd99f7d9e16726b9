package io.magpie.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for the blocking variants of async SDK calls. */
public final class Futures {

    private Futures() {
    }

    /** The cause behind CompletionException / ExecutionException wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /**
     * Waits for {@code future} and rethrows its failure unwrapped when it is unchecked (so callers catch
     * {@code MagpieApiException} directly); a checked cause is wrapped in {@link CompletionException}.
     */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
