package io.magpie.das;

/**
 * One row of table {@code conversation}: a conversation as it appears in one owner's list. The exact
 * unread count also discounts recalled messages: {@link UnreadCounts}.
 *
 * @param peerReadSeq one-to-one: how far the peer has read (a read receipt; 0 while either side hides them)
 * @param mentionSeq  the newest seq whose message mentions the owner, 0 = never
 */
public record Conversation(long ownerUid, String conversationId, int conversationType, long peerId, long version,
                           long sortKey, long lastSeq, long lastMsgId, long readSeq, long clearedSeq,
                           boolean muted, boolean deleted, long updatedAt, long peerReadSeq, long mentionSeq) {

    /** A row that was never mentioned in. */
    public Conversation(long ownerUid, String conversationId, int conversationType, long peerId, long version,
            long sortKey, long lastSeq, long lastMsgId, long readSeq, long clearedSeq, boolean muted, boolean deleted,
            long updatedAt, long peerReadSeq) {
        this(ownerUid, conversationId, conversationType, peerId, version, sortKey, lastSeq, lastMsgId, readSeq,
                clearedSeq, muted, deleted, updatedAt, peerReadSeq, 0);
    }

    /** "@me": a message the owner has not read (nor cleared) mentions them. */
    public boolean mentioned() {
        return mentionSeq > Math.max(readSeq, clearedSeq);
    }

    /** Messages after the read position (never negative), recalled ones included. */
    public long unread() {
        return Math.max(0, lastSeq - readSeq);
    }
}
