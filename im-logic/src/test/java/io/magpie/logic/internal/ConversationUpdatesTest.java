package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.das.ConversationUpdate;
import io.magpie.das.MessageRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationUpdatesTest {

    @Test
    void aMessageMovesTheRowsOfBothMembers() {
        List<ConversationUpdate> rows = ConversationUpdates.of(List.of(message(500, "s_1_2", 7, 1)));

        assertEquals(List.of(
                new ConversationUpdate(1, "s_1_2", 1, 2, 7, 500, 500, 7),
                new ConversationUpdate(2, "s_1_2", 1, 1, 7, 500, 500, ConversationUpdate.KEEP_READ_SEQ)), rows);
    }

    @Test
    void aBatchWritesEachRowOnceWithTheNewestMessage() {
        List<ConversationUpdate> rows = ConversationUpdates.of(List.of(
                message(500, "s_1_2", 7, 1),
                message(501, "s_1_2", 8, 2),
                message(502, "s_1_2", 9, 1),
                message(503, "s_1_3", 1, 3)));

        assertEquals(List.of(
                // uid 1 read up to its own latest message (9)
                new ConversationUpdate(1, "s_1_2", 1, 2, 9, 502, 502, 9),
                // uid 2 read up to its own message 8, not beyond
                new ConversationUpdate(2, "s_1_2", 1, 1, 9, 502, 502, 8),
                new ConversationUpdate(3, "s_1_3", 1, 1, 1, 503, 503, 1),
                new ConversationUpdate(1, "s_1_3", 1, 3, 1, 503, 503, ConversationUpdate.KEEP_READ_SEQ)), rows);
    }

    private static MessageRecord message(long msgId, String conv, long seq, long sender) {
        return new MessageRecord(msgId, conv, 1, seq, msgId, sender, "d", "c" + msgId, 1, new byte[0], 0, 1);
    }
}
