package io.magpie.das;

import java.util.Objects;

/**
 * The profile and settings columns of an {@code im_group} row (migration V7). Immutable.
 *
 * @param avatarUrl    "" when none
 * @param announcement "" when none
 * @param invitePolicy {@link #INVITE_MEMBERS} or {@link #INVITE_ADMINS}
 * @param joinPolicy   {@link #JOIN_APPROVAL}, {@link #JOIN_FREE} or {@link #JOIN_CLOSED}
 * @param maxMembers   the group's member cap; 0 = the server's configured limit
 * @param muteAll      only admins and the owner may send
 */
public record GroupDetails(String avatarUrl, String announcement, int invitePolicy, int joinPolicy, int maxMembers,
                           boolean muteAll) {

    public static final int INVITE_MEMBERS = 1;
    public static final int INVITE_ADMINS = 2;
    public static final int JOIN_APPROVAL = 1;
    public static final int JOIN_FREE = 2;
    public static final int JOIN_CLOSED = 3;

    /** What a new group has: no avatar or announcement, members invite, joins need approval. */
    public static final GroupDetails DEFAULTS = new GroupDetails("", "", INVITE_MEMBERS, JOIN_APPROVAL, 0, false);

    public GroupDetails {
        Objects.requireNonNull(avatarUrl, "avatarUrl");
        Objects.requireNonNull(announcement, "announcement");
    }

    /** The cap that applies: the group's own, or {@code serverLimit} when it has none or a larger one. */
    public int effectiveMaxMembers(int serverLimit) {
        return maxMembers <= 0 ? serverLimit : Math.min(maxMembers, serverLimit);
    }
}
