package io.magpie.client;

import io.magpie.protocol.proto.Message;
import java.util.List;

/**
 * One page of a conversation's history, paging backwards ({@link MagpieClient#history}): the newest messages
 * below the seq asked for, in ascending seq. Recalled messages come as their placeholder ({@code status}
 * RECALLED, content holding only its type). Immutable.
 *
 * @param messages ascending seq; empty when there is nothing (more) to show
 * @param hasMore  older messages exist: ask again with {@link #oldestSeq()} as the next {@code beforeSeq}
 */
public record HistoryPage(List<Message> messages, boolean hasMore) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }

    /** The seq of the oldest message on this page, 0 when it is empty. */
    public long oldestSeq() {
        return messages.isEmpty() ? 0 : messages.get(0).getSeq();
    }
}
