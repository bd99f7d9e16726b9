package io.magpie.logic.internal;

import io.magpie.das.GroupRoster;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The rosters of the groups one batch sends to, each read once (one query per group per batch, not
 * per message) and kept for that batch only: a membership change is seen by the next batch. Not
 * thread-safe: one per batch, on the upstream consumer's thread.
 */
public final class GroupRosters {

    private final RosterLoader loader;
    private final Map<Long, Optional<GroupRoster>> loaded = new HashMap<>();

    public GroupRosters(RosterLoader loader) {
        this.loader = loader;
    }

    /**
     * @return empty if there is no such group
     * @throws io.magpie.registry.StorageException when MySQL could not answer (the batch is retried)
     */
    public Optional<GroupRoster> get(long groupId) {
        Optional<GroupRoster> roster = loaded.get(groupId);
        if (roster == null) {
            roster = loader.load(groupId);
            loaded.put(groupId, roster);
        }
        return roster;
    }

    /** The roster of a group this batch already authorised a send to. */
    public GroupRoster require(long groupId) {
        return get(groupId).orElseThrow(() -> new IllegalStateException("group " + groupId
                + " has no roster in this batch although a send to it was authorised"));
    }
}
