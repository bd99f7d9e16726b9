package io.magpie.client;

import java.util.List;

/**
 * Who has read one message ({@code GET /v1/conversations/{id}/messages/{seq}/receipts}, docs/PROTOCOL.md §9.9),
 * as {@link MagpieClient#readReceipts} answers it. Counts the members who joined at or before the message, share
 * read receipts and did not send it, split by whether their read position reached {@code seq}. Immutable.
 *
 * @param conversationId the conversation
 * @param seq            the message
 * @param readCount      members whose read position reached {@code seq}
 * @param unreadCount    members whose read position has not
 * @param readers        the readers' uids, ascending; null when the group is too large to list them
 *                       ({@code logic.large-group-threshold}, default 200 members): use the counts
 */
public record ReadReceipts(String conversationId, long seq, long readCount, long unreadCount, List<Long> readers) {

    public ReadReceipts {
        readers = readers == null ? null : List.copyOf(readers);
    }

    /** Whether {@link #readers()} lists the readers (false for large groups). */
    public boolean readersListed() {
        return readers != null;
    }
}
