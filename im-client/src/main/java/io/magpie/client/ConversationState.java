package io.magpie.client;

/**
 * Where one conversation stands for this user, as a {@link MagpieClient} knows it (docs/PROTOCOL.md §9.9): a
 * snapshot, immutable, taken by {@link MagpieClient#conversationState(String)}.
 *
 * <p>Every SYNC resets it to the server's exact numbers for the conversations the SYNC lists; in between the
 * client keeps it up to date itself: a message of someone else above the read position adds one unread, a
 * message of this user (from any device) reads everything up to it, {@code NOTICE_READ} and this device's
 * READ_ACK move the read position, a recall of an unread message takes one away. Between SYNCs
 * {@code unreadCount} is exact when the read position reached the newest message or the client saw every unread
 * message itself; otherwise (a read of part of what a SYNC counted) it is an upper bound until the next SYNC.
 *
 * @param conversationId the conversation (docs/PROTOCOL.md §10)
 * @param readSeq        this user has read up to and including this seq (own messages count as read)
 * @param unreadCount    messages of others above {@code readSeq}, recalled ones excluded
 * @param peerReadSeq    one-to-one only: the peer has read up to and including this seq (a read receipt); 0
 *                       when unknown or while either side hides read receipts
 * @param lastSeq        the newest seq the client knows of (from SYNC, or delivered/sent since)
 * @param muted          muted conversations do not count in {@link MagpieClient#totalUnread()}
 */
public record ConversationState(String conversationId, long readSeq, long unreadCount, long peerReadSeq,
                                long lastSeq, boolean muted) {
}
