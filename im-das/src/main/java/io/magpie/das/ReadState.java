package io.magpie.das;

/**
 * A reader's conversation row after a batch of reads was applied.
 *
 * @param ownerUid         the reader
 * @param conversationId   the conversation
 * @param conversationType protocol {@code ConversationType} number
 * @param peerId           peer uid (single) or group id (group)
 * @param readSeq          the stored read position (clamped, never lowered)
 * @param version          the row's version now
 * @param moved            true when this batch raised the read position
 * @param clearedSeq       the row's cleared-up-to seq
 * @param lastSeq          the conversation's last seq (a large group's from the group)
 */
public record ReadState(long ownerUid, String conversationId, int conversationType, long peerId, long readSeq,
                        long version, boolean moved, long clearedSeq, long lastSeq) {

    /** The unread range after this state: seqs {@code (max(readSeq, clearedSeq), lastSeq]}. */
    public UnreadCounts.Range unreadRange() {
        return new UnreadCounts.Range(conversationId, Math.max(readSeq, clearedSeq), lastSeq);
    }
}
