package io.magpie.das;

/**
 * How a batch of stored messages moves a group's timeline: applied to {@code im_group} in the
 * batch's transaction by {@link GroupRepository#advance}. Never moves {@code last_seq} back; a
 * {@code large} progress marks the group as read-diffusion for SYNC (and it stays marked).
 *
 * @param groupId   the group
 * @param lastSeq   seq of the batch's newest message of the group
 * @param lastMsgId msg id of that message
 * @param large     true if the batch stored the group's messages without per-member conversation rows
 */
public record GroupProgress(long groupId, long lastSeq, long lastMsgId, boolean large) {

    /** The newer of two progresses of one group (a batch may hold several of its messages). */
    public GroupProgress merge(GroupProgress other) {
        if (other.groupId != groupId) {
            throw new IllegalArgumentException("cannot merge progress of group " + other.groupId + " into " + groupId);
        }
        GroupProgress newer = other.lastSeq > lastSeq ? other : this;
        return new GroupProgress(groupId, newer.lastSeq, newer.lastMsgId, large || other.large);
    }
}
