package io.magpie.das;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessageRecordTest {

    private static MessageRecord record(byte[] content) {
        return new MessageRecord(1, "s_1_2", 1, 3, 3, 1, "d", "c-1", 1, content, 0, 1000);
    }

    @Test
    void equalityComparesContentBytes() {
        assertEquals(record(new byte[] {1, 2}), record(new byte[] {1, 2}));
        assertEquals(record(new byte[] {1, 2}).hashCode(), record(new byte[] {1, 2}).hashCode());
        assertNotEquals(record(new byte[] {1, 2}), record(new byte[] {1, 3}));
    }

    @Test
    void toStringShowsContentLengthNotBytes() {
        assertTrue(record(new byte[7]).toString().contains("content=7 bytes"));
    }

    @Test
    void senderClientKeyPairsSenderAndClientId() {
        assertEquals(new SenderClientKey(1, "c-1"), record(new byte[0]).senderClientKey());
    }
}
