package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one script's INSERT takes: its hexadecimal content must keep the packet below 16 MiB. */
class MessageRepositoryTest {

    private static MessageRecord message(long id, int contentBytes) {
        return new MessageRecord(id, "s_1_2", 1, id, id, 1, "d", "c-" + id, 1, new byte[contentBytes], 0, 1000);
    }

    @Test
    void aScriptTakesUpToAThousandMessagesAndFourMebibytesOfContent() {
        int limit = MessageRepository.MAX_SCRIPT_CONTENT_BYTES;
        assertTrue(MessageRepository.fitsOneScript(List.of(message(1, limit / 2), message(2, limit / 2))));
        assertFalse(MessageRepository.fitsOneScript(List.of(message(1, limit / 2), message(2, limit / 2 + 1))));
        assertFalse(MessageRepository.fitsOneScript(List.of(message(1, 5 << 20))), "one large message goes alone");
        List<MessageRecord> many = new ArrayList<>();
        for (int i = 1; i <= MessageRepository.MAX_ROWS_PER_STATEMENT; i++) {
            many.add(message(i, 10));
        }
        assertTrue(MessageRepository.fitsOneScript(many));
        many.add(message(MessageRepository.MAX_ROWS_PER_STATEMENT + 1, 10));
        assertFalse(MessageRepository.fitsOneScript(many));
        assertFalse(MessageRepository.fitsOneScript(Collections.emptyList()));
    }
}
