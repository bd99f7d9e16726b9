package io.magpie.client;

import java.util.List;

/**
 * One page of a group's members ({@code GET /v1/groups/{id}/members}, docs/PROTOCOL.md §9.16), ascending by uid.
 * Immutable.
 *
 * @param members      the page
 * @param nextAfterUid pass to {@link Groups#members} for the next page; 0 = this was the last
 */
public record GroupMembersPage(List<Member> members, long nextAfterUid) {

    /** A member: {@code role} is OWNER, ADMIN or MEMBER; {@code joinSeq} the first seq they see. */
    public record Member(long uid, String role, long joinSeq) {
    }

    public GroupMembersPage {
        members = List.copyOf(members);
    }

    public boolean last() {
        return nextAfterUid == 0;
    }
}
