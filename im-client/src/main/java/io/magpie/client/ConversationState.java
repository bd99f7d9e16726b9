package io.magpie.client;

/**
 * Where one conversation stands for this user, as a {@link MagpieClient} knows it (docs/PROTOCOL.md §9.9,
 * §9.11, §9.12): a snapshot, immutable, taken by {@link MagpieClient#conversationState(String)}.
 *
 * <p>Every SYNC resets it to the server's exact numbers for the conversations the SYNC lists; in between the
 * client keeps it up to date itself: a message of someone else above the read position adds one unread, a
 * message of this user (from any device) reads everything up to it, this device's READ_ACK and {@code
 * NOTICE_READ} set the read position and the unread count the server stored, a recall or a delete for me of an
 * unread message takes one away, a clear drops what it covers. {@code unreadCount} is exact between SYNCs with
 * two exceptions that the next SYNC corrects: a message of someone else stored while a READ was on its way may
 * be missing from it, and after a clear up to a seq below the newest it is an upper bound when a SYNC had counted
 * those messages without this client seeing them.
 *
 * <p>The list settings ({@code muted}, {@code pinnedAt}, {@code hidden}) change over the account API ({@link
 * MagpieClient#mute}, {@link MagpieClient#pin}, {@link MagpieClient#hide}) and reach this snapshot by SYNC only
 * (the client SYNCs after its own change; call {@link MagpieClient#syncNow()} to pick up another device's).
 *
 * @param conversationId the conversation (docs/PROTOCOL.md §10)
 * @param readSeq        this user has read up to and including this seq (own messages count as read)
 * @param unreadCount    messages of others above {@code max(readSeq, clearedSeq)}, recalled and deleted ones
 *                       excluded
 * @param peerReadSeq    one-to-one only: the peer has read up to and including this seq (a read receipt); 0
 *                       when unknown or while either side hides read receipts
 * @param lastSeq        the newest seq the client knows of (from SYNC, or delivered/sent since)
 * @param muted          muted conversations do not count in {@link MagpieClient#totalUnread()}
 * @param pinnedAt       when this user pinned it, ms since the epoch; 0 = not pinned. Lists show pinned
 *                       conversations first, newest pin first
 * @param hidden         removed from this user's list; it comes back (false) with its next message
 * @param clearedSeq     this user cleared the history up to and including this seq: nothing at or below it is
 *                       shown or returned any more
 * @param mentioned      "@me": a message above the read position mentions this user (docs/PROTOCOL.md §9.20); from
 *                       SYNC's {@code mentioned}, set by a delivered message that mentions this user, cleared by
 *                       reading past it
 */
public record ConversationState(String conversationId, long readSeq, long unreadCount, long peerReadSeq,
                                long lastSeq, boolean muted, long pinnedAt, boolean hidden, long clearedSeq,
                                boolean mentioned) {

    /** A state without a mention. */
    public ConversationState(String conversationId, long readSeq, long unreadCount, long peerReadSeq, long lastSeq,
            boolean muted, long pinnedAt, boolean hidden, long clearedSeq) {
        this(conversationId, readSeq, unreadCount, peerReadSeq, lastSeq, muted, pinnedAt, hidden, clearedSeq, false);
    }
}
