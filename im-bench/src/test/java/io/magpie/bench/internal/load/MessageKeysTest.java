package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MessageKeysTest {

    @Test
    void aKeyRoundTripsThroughTheClientMsgId() {
        for (long key : new long[] {0, 1, 35, 36, MessageKeys.key(12, 99), MessageKeys.key((1 << 24) - 1, (1L << 39) - 1)}) {
            String id = MessageKeys.clientMsgId(key);
            assertEquals(key, MessageKeys.parse(id), id);
        }
    }

    @Test
    void keysOfDifferentSendersNeverCollide() {
        assertEquals(false, MessageKeys.key(1, 0) == MessageKeys.key(0, 1L << 38));
    }

    @Test
    void foreignIdsAreNotKeys() {
        assertEquals(-1, MessageKeys.parse(null));
        assertEquals(-1, MessageKeys.parse("3f2a-uuid"));
        assertEquals(-1, MessageKeys.parse("b"));
        assertEquals(-1, MessageKeys.parse("b!!"));
        assertEquals(-1, MessageKeys.parse("b" + "z".repeat(20)));
    }

    @Test
    void outOfRangeSenderIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MessageKeys.key(1 << 24, 0));
        assertThrows(IllegalArgumentException.class, () -> MessageKeys.key(0, -1));
    }
}
