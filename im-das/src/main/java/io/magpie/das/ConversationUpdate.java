package io.magpie.das;

import java.util.Objects;

/**
 * A change to one owner's conversation row caused by new messages (write diffusion). Applied by
 * {@link ConversationRepository#upsertBatch}: the row is created if missing; otherwise
 * {@code lastSeq} (and with it {@code lastMsgId}), {@code version} and {@code readSeq} only ever
 * move forward, so a replayed or reordered update never rolls a row back.
 *
 * @param ownerUid         whose conversation list
 * @param conversationId   the conversation
 * @param conversationType protocol {@code ConversationType} number
 * @param peerId           peer uid (single) or group id (group)
 * @param lastSeq          seq of the newest message
 * @param lastMsgId        msg id of that message
 * @param version          the owner's new user-scoped version for this row
 * @param readSeq          new read position, or {@link #KEEP_READ_SEQ} to leave it (the sender's
 *                         own message usually sets it to {@code lastSeq})
 * @param mentionSeq       the seq of a message among them that mentions the owner, 0 = none; the stored value
 *                         only rises
 */
public record ConversationUpdate(long ownerUid, String conversationId, int conversationType, long peerId,
                                 long lastSeq, long lastMsgId, long version, long readSeq, long mentionSeq) {

    /** An update that mentions nobody. */
    public ConversationUpdate(long ownerUid, String conversationId, int conversationType, long peerId, long lastSeq,
            long lastMsgId, long version, long readSeq) {
        this(ownerUid, conversationId, conversationType, peerId, lastSeq, lastMsgId, version, readSeq, 0);
    }

    /** {@code readSeq} value meaning "leave the stored read position as it is". */
    public static final long KEEP_READ_SEQ = -1;

    public ConversationUpdate {
        Objects.requireNonNull(conversationId, "conversationId");
        if (readSeq < KEEP_READ_SEQ) {
            throw new IllegalArgumentException("readSeq must be >= 0 or KEEP_READ_SEQ (-1), got " + readSeq);
        }
    }
}
