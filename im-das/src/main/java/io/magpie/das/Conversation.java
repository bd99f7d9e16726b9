package io.magpie.das;

/**
 * One row of table {@code conversation}: a conversation as it appears in one owner's list.
 * Unread count = {@code lastSeq - readSeq}.
 */
public record Conversation(long ownerUid, String conversationId, int conversationType, long peerId, long version,
                           long sortKey, long lastSeq, long lastMsgId, long readSeq, long clearedSeq,
                           boolean muted, boolean deleted, long updatedAt) {

    /** Messages after the read position (never negative). */
    public long unread() {
        return Math.max(0, lastSeq - readSeq);
    }
}
