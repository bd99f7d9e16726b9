package io.magpie.das;

import java.util.List;

/**
 * The mutations of one group a transaction applies, and the version (a snowflake id) the group row
 * takes. Immutable.
 */
public record GroupChange(long groupId, long version, List<GroupMutation> mutations) {

    public GroupChange {
        mutations = List.copyOf(mutations);
    }
}
