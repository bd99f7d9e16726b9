package io.magpie.logic.internal;

import io.magpie.das.Relations.DirectPair;
import io.magpie.das.Relations.DirectRefusal;
import java.util.Collection;
import java.util.Map;

/**
 * Which one-to-one sender/recipient pairs the recipient refuses (blocked the sender, or takes messages
 * from friends only), asked of MySQL in one go for a whole batch ({@link io.magpie.das.Relations#directRefusals}).
 * Implementations block; fail with {@link io.magpie.registry.StorageException} when MySQL cannot answer.
 */
@FunctionalInterface
public interface DirectRules {

    /** @return the refused pairs among {@code pairs}; absent pairs may send */
    Map<DirectPair, DirectRefusal> refusals(Collection<DirectPair> pairs);
}
