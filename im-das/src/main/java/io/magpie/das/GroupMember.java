package io.magpie.das;

/**
 * A row of {@code group_member}. A member sees the group's messages from {@code joinSeq} on (the
 * group's last seq + 1 when they joined). Immutable.
 *
 * @param groupId    the group
 * @param uid        the member
 * @param role       {@link #ROLE_MEMBER}, {@link #ROLE_ADMIN} or {@link #ROLE_OWNER}
 * @param joinSeq    first seq the member may read
 * @param readSeq    the member's read position (large groups keep it here)
 * @param clearedSeq history hidden up to this seq
 * @param muted      no push notification for this group
 * @param joinedAt   ms since the epoch
 */
public record GroupMember(long groupId, long uid, int role, long joinSeq, long readSeq, long clearedSeq,
                          boolean muted, long joinedAt) {

    public static final int ROLE_MEMBER = 0;
    public static final int ROLE_ADMIN = 1;
    public static final int ROLE_OWNER = 2;

    public GroupMember {
        if (role < ROLE_MEMBER || role > ROLE_OWNER) {
            throw new IllegalArgumentException("role must be 0 (member), 1 (admin) or 2 (owner), got " + role);
        }
        if (joinSeq < 1) {
            throw new IllegalArgumentException("joinSeq must be at least 1, got " + joinSeq);
        }
    }

    /** A plain member joining at {@code joinSeq}, nothing read or cleared. */
    public static GroupMember joining(long groupId, long uid, int role, long joinSeq, long joinedAt) {
        return new GroupMember(groupId, uid, role, joinSeq, 0, 0, false, joinedAt);
    }
}
