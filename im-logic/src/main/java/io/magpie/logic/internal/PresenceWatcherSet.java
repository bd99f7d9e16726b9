package io.magpie.logic.internal;

import io.magpie.das.Relations;
import io.magpie.registry.PresenceWatches;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Who is told of a user's presence changes (docs/PROTOCOL.md §9.14): their friends and the users whose
 * explicit watch list names them, minus the users they blocked and minus themselves. Blocking (MySQL and
 * Redis reads); thread-safe.
 */
public final class PresenceWatcherSet {

    private static final long REDIS_WAIT_SECONDS = 10;

    private final Relations relations;
    private final PresenceWatches watches;

    public PresenceWatcherSet(Relations relations, PresenceWatches watches) {
        this.relations = Objects.requireNonNull(relations, "relations");
        this.watches = Objects.requireNonNull(watches, "watches");
    }

    /** The watchers of {@code uid}, friends first. */
    public Set<Long> of(long uid) throws Exception {
        Set<Long> watchers = new LinkedHashSet<>(relations.friends(uid));
        watchers.addAll(watches.watchersOf(uid).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS));
        watchers.remove(uid);
        watchers.removeAll(relations.blockedAmong(uid, watchers));
        return watchers;
    }
}
