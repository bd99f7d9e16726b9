package io.magpie.das;

/**
 * A row of {@code group_former_member}: someone who left or was kicked. They see the group's
 * messages from {@code joinSeq} up to and including {@code leftSeq} (the message that removed them).
 */
public record FormerMember(long groupId, long uid, long joinSeq, long leftSeq, long leftAt) {
}
