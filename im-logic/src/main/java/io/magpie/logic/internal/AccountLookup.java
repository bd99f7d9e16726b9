package io.magpie.logic.internal;

/**
 * Whether an account exists, asked of MySQL. Implementations block; call them off event loops, and
 * fail with {@link io.magpie.registry.StorageException} when MySQL cannot answer.
 */
@FunctionalInterface
public interface AccountLookup {

    boolean exists(long uid);
}
