package io.magpie.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The facade's behaviour without a server; connecting is covered by the internal tests and by im-server. */
class MagpieClientTest {

    private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void sendingWhileNotConnectedFailsRetryably() {
        try (MagpieClient client = new MagpieClient(ClientConfig.builder().build())) {
            assertEquals(ConnectionState.IDLE, client.state());

            Throwable t = failure(client.sendText(ConversationType.SINGLE, 2, "hi"));

            ConnectionLostException e = assertInstanceOf(ConnectionLostException.class, t);
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("IDLE"), e.getMessage());
        }
    }

    @Test
    void invalidSendsAreRefusedBeforeAnythingIsSent() {
        try (MagpieClient client = new MagpieClient(ClientConfig.builder().build())) {
            MessageContent text = MessageContent.newBuilder().setText("x").build();

            assertInstanceOf(IllegalArgumentException.class, failure(client.send(" ", ConversationType.SINGLE, 2, text)));
            assertInstanceOf(IllegalArgumentException.class,
                    failure(client.send("c1", ConversationType.CONVERSATION_TYPE_UNSPECIFIED, 2, text)));
        }
    }

    @Test
    void pullAndSyncNeedAConnectionAndSaneArguments() {
        try (MagpieClient client = new MagpieClient(ClientConfig.builder().build(), new InMemoryClientState())) {
            assertTrue(assertInstanceOf(ConnectionLostException.class, failure(client.pull("s_1_2", 1, 0, 50)))
                    .retryable());
            assertInstanceOf(ConnectionLostException.class, failure(client.sync(0)));
            assertInstanceOf(IllegalArgumentException.class, failure(client.pull("s_1_2", 0, 5, 50)));
            assertInstanceOf(IllegalArgumentException.class, failure(client.pull("s_1_2", 5, 4, 50)));
            assertInstanceOf(IllegalArgumentException.class, failure(client.pull(" ", 1, 0, 50)));
            assertInstanceOf(IllegalArgumentException.class, failure(client.sync(-1)));
            assertEquals(new DeliveryStats(0, 0, 0, 0), client.deliveryStats());
        }
    }

    @Test
    void logoutBeforeAnyConnectHasNothingToRevokeAndCompletesAtOnce() throws Exception {
        // the account API URL points nowhere: a call to it would fail the logout
        ClientConfig config = ClientConfig.builder().accountApiUrl("http://127.0.0.1:9").build();
        try (MagpieClient client = new MagpieClient(config)) {
            client.logout().get(5, TimeUnit.SECONDS);

            assertEquals(ConnectionState.IDLE, client.state());
        }
    }

    @Test
    void aClosedClientCannotConnectAndClosingTwiceIsHarmless() {
        MagpieClient client = new MagpieClient(ClientConfig.builder().build());
        client.close();
        client.close();

        assertEquals(ConnectionState.CLOSED, client.state());
        Throwable t = failure(client.connect(new Credentials(1, "t", Instant.now().plusSeconds(60))));
        assertInstanceOf(IllegalStateException.class, t);
    }

    @Test
    void aFirstConnectWithNoLsbFailsWithAnApiErrorAndDoesNotRetry() {
        // port 9 (discard) on loopback: nothing listens there on a test machine
        ClientConfig config = ClientConfig.builder().lsbUrl("http://127.0.0.1:9").build();
        try (MagpieClient client = new MagpieClient(config)) {
            Throwable t = failure(client.connect(new Credentials(1, "t", Instant.now().plusSeconds(60))));

            MagpieApiException e = assertInstanceOf(MagpieApiException.class, t);
            assertEquals("UNREACHABLE", e.code());
            assertTrue(e.retryable());
            assertEquals(ConnectionState.DISCONNECTED, client.state());
        }
    }
}
