package io.magpie.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class InMemoryClientStateTest {

    @Test
    void startsEmptyAndValuesNeverGoDown() {
        InMemoryClientState state = new InMemoryClientState();
        assertEquals(0, state.syncVersion());
        assertEquals(OptionalLong.empty(), state.lastDelivered("s_1_2"));

        state.saveSyncVersion(9);
        state.saveSyncVersion(4);
        state.saveLastDelivered("s_1_2", 7);
        state.saveLastDelivered("s_1_2", 3);

        assertEquals(9, state.syncVersion());
        assertEquals(OptionalLong.of(7), state.lastDelivered("s_1_2"));
    }
}
