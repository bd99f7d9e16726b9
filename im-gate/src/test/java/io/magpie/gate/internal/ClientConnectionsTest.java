package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.Platform;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's count of client connections and the close of all of them at shutdown. */
class ClientConnectionsTest {

    private final ClientConnections connections = new ClientConnections("gate-a", 3, Clock.systemUTC());

    /** An embedded channel with an id of its own (a channel group tells channels apart by id). */
    private static EmbeddedChannel connection() {
        return new EmbeddedChannel(DefaultChannelId.newInstance());
    }

    @Test
    void closeAllClosesTheConnectingOnesAndTheLoggedInOnesItIsGiven() {
        EmbeddedChannel connecting = connection();
        EmbeddedChannel loggedIn = connection();
        assertTrue(connections.admit(connecting));
        assertTrue(connections.admit(loggedIn));
        ClientConnections.loggedIn(loggedIn); // from here on the session table has it, not the connecting set
        Session session = new Session(1, 42, "phone", Platform.ANDROID, "gate-a", 0, loggedIn);

        connections.closeAll(List.of(session)).awaitUninterruptibly();

        assertFalse(connecting.isActive());
        assertFalse(loggedIn.isActive());
        assertEquals(0, connections.count(), "every close gave its place back");
    }

    @Test
    void aLoggedInConnectionLeavesTheConnectingSetButStillCountsUntilItCloses() {
        EmbeddedChannel loggedIn = connection();
        connections.admit(loggedIn);
        ClientConnections.loggedIn(loggedIn);

        connections.closeAll(List.of()).awaitUninterruptibly();

        assertTrue(loggedIn.isActive(), "a logged-in connection is closed through its session");
        assertEquals(1, connections.count());
        loggedIn.close();
        assertEquals(0, connections.count());
    }

    @Test
    void overTheCapANewConnectionIsClosedAtOnce() {
        for (int i = 0; i < 3; i++) {
            assertTrue(connections.admit(connection()));
        }
        EmbeddedChannel fourth = connection();
        assertFalse(connections.admit(fourth));
        assertFalse(fourth.isActive());
        assertEquals(3, connections.count());
    }
}
