package io.magpie.idgen;

/**
 * Hands out unique {@code long} ids. Implementations say whether ids are ordered and whether the
 * generator is thread-safe.
 */
@FunctionalInterface
public interface IdGenerator {

    /**
     * The next id.
     *
     * @throws IdGenerationException if no id can be issued now; {@code retryable()} says whether
     *                               a later call can succeed
     */
    long nextId();
}
