package io.magpie.logic.internal;

import io.magpie.das.GroupRoster;
import java.util.Optional;

/**
 * Reads a group and its member uids from MySQL ({@code GroupRepository::roster}). Blocks; fails
 * with {@link io.magpie.registry.StorageException} when MySQL cannot answer.
 */
@FunctionalInterface
public interface RosterLoader {

    /** Empty if there is no such group. */
    Optional<GroupRoster> load(long groupId);
}
