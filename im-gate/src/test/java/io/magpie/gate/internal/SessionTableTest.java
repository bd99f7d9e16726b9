package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.Platform;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class SessionTableTest {

    private final SessionTable table = new SessionTable();

    private static Session session(long connectionId, long uid, String device) {
        return new Session(connectionId, uid, device, Platform.ANDROID, "gate-a", 0, new EmbeddedChannel());
    }

    @Test
    void aNewerLoginOfTheSameDeviceSupersedesTheOlder() {
        Session older = session(1, 42, "d");
        Session newer = session(2, 42, "d");
        assertNull(table.add(older, 0));
        assertSame(older, table.add(newer, 1));
        assertSame(newer, table.byDevice(42, "d"));
    }

    @Test
    void whenTheNewerRegistrationFinishesFirstTheOlderOneIsTheOneSuperseded() {
        Session older = session(1, 42, "d");
        Session newer = session(2, 42, "d");
        // The route table said: newer's registration replaced connection 1, but newer got here first.
        assertNull(table.add(newer, 1));
        assertSame(older, table.add(older, 0), "older supersedes itself");
        assertSame(newer, table.byDevice(42, "d"));
        assertNull(table.byConnection(1));
    }

    @Test
    void removingAnOlderSessionLeavesTheNewerInPlace() {
        Session older = session(1, 42, "d");
        Session newer = session(2, 42, "d");
        table.add(older, 0);
        table.add(newer, 1);
        assertTrue(table.remove(older));
        assertFalse(table.remove(older), "only one caller releases a session");
        assertSame(newer, table.byDevice(42, "d"));
        assertEquals(1, table.size());
    }

    @Test
    void devicesOfOneUserAreIndependent() {
        assertNull(table.add(session(1, 42, "phone"), 0));
        assertNull(table.add(session(2, 42, "laptop"), 0));
        assertEquals(2, table.size());
    }
}
