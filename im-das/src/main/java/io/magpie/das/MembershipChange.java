package io.magpie.das;

import java.util.List;

/**
 * What {@link GroupRepository#addMembers} did. Immutable.
 *
 * @param added       the new members (uids already in the group are not repeated), ascending by uid
 * @param memberCount the group's member count afterwards
 */
public record MembershipChange(List<GroupMember> added, int memberCount) {

    public MembershipChange {
        added = List.copyOf(added);
    }
}
