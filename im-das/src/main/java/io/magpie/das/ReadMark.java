package io.magpie.das;

import java.util.Objects;

/**
 * One user's "read up to {@code readSeq}" for a conversation, as a READ asks for it.
 *
 * @param ownerUid       the reader
 * @param conversationId the conversation
 * @param readSeq        read up to and including this seq (clamped to the conversation's last seq when stored)
 * @param version        the reader's new user-scoped version for the row, if it moves
 */
public record ReadMark(long ownerUid, String conversationId, long readSeq, long version) {

    public ReadMark {
        Objects.requireNonNull(conversationId, "conversationId");
        if (readSeq < 0) {
            throw new IllegalArgumentException("readSeq must be >= 0, got " + readSeq);
        }
    }
}
