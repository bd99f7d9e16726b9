package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.client.Transport;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendAck;
import io.magpie.engines.Infrastructure;
import io.magpie.testkit.InfrastructureExtension;
import io.magpie.engines.TestIsolation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One text message over the whole real path: account API -> LSB -> gate (TCP and WebSocket) ->
 * Kafka upstream -> logic -> MariaDB -> Kafka push -> router -> gate -> client, with every role in
 * this JVM (as {@code magpie standalone} runs them) on the real embedded servers.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndIT {

    private static final String PASSWORD = "correct horse battery";

    private Infrastructure infra;
    private TestIsolation isolation;
    private MagpieNode node;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
        node = TestNodes.allRoles(infra, isolation, "end-to-end", Map.of("gate.login-timeout", "1s"));
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void everyRoleOfTheProcessIsLiveAndReadyOnItsHealthListener() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String probe : List.of("/health/live", "/health/ready")) {
            java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + node.healthPort() + probe)).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), probe + ": " + answer.body());
            for (String role : List.of("logic", "notifier", "router", "gate", "lsb")) {
                assertTrue(answer.body().contains("\"" + role + "\":\"UP\""), probe + " names " + role + ": "
                        + answer.body());
            }
        }
    }

    @Test
    void textMessagesFlowBothWaysOverTcpAndWebSocketInSeqOrderAndAreStoredInMysql() throws Exception {
        User alice = user("alice_e2e", "alice-phone", Transport.TCP);
        User bob = user("bob_e2e", "bob-web", Transport.WEBSOCKET);

        List<SendAck> acks = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            acks.add(alice.client.sendText(ConversationType.SINGLE, bob.uid, "hello " + i).get(20, SECONDS));
        }
        String conversation = ConversationIds.single(alice.uid, bob.uid);
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, acks.get(i).getSeq(), "SEND_ACK seq");
            assertEquals(conversation, acks.get(i).getConversationId());
            assertTrue(acks.get(i).getMsgId() > 0, "SEND_ACK carries the msg id");
        }
        await().atMost(20, SECONDS).until(() -> bob.received.size() >= 3);
        assertEquals(List.of(1L, 2L, 3L), bob.received.stream().map(Message::getSeq).toList());
        assertEquals(List.of("hello 1", "hello 2", "hello 3"),
                bob.received.stream().map(m -> m.getContent().getText()).toList());
        bob.received.forEach(m -> assertEquals(alice.uid, m.getSenderUid()));

        // SEND_ACK means the row is in MySQL, with the same msg id and seq
        for (SendAck ack : acks) {
            assertEquals(ack.getMsgId(), storedMsgId(conversation, ack.getSeq()));
        }

        SendAck reply = bob.client.sendText(ConversationType.SINGLE, alice.uid, "hi alice").get(20, SECONDS);
        assertEquals(4, reply.getSeq());
        await().atMost(20, SECONDS).until(() -> alice.received.stream().anyMatch(m -> m.getSeq() == 4));
        assertEquals(List.of(4L), alice.received.stream().map(Message::getSeq).toList(),
                "alice sees bob's message, not her own sends echoed back to the sending device");
    }

    @Test
    void aSecondLoginOfTheSameDeviceKicksTheFirst() throws Exception {
        User first = user("carol_e2e", "carol-laptop", Transport.TCP);
        User second = login(first.name, "carol-laptop", Transport.WEBSOCKET);

        await().atMost(20, SECONDS).until(() -> !first.kicks.isEmpty());
        assertEquals(KickReason.DUPLICATE_DEVICE, first.kicks.get(0).getReason());
        await().atMost(20, SECONDS).until(() -> first.client.state() == ConnectionState.KICKED);
        assertEquals(ConnectionState.CONNECTED, second.client.state());
    }

    @Test
    void aConnectionThatNeverLogsInIsClosedAfterTheDeadline() throws Exception {
        try (RawConnection raw = new RawConnection(node.gate().tcpPort())) {
            Frame error = raw.read();
            assertEquals(Command.ERROR.code(), error.command());
            assertEquals(ErrorCode.LOGIN_TIMEOUT.code(), Frames.parse(error, Error.parser()).getCode());
            assertNull(raw.read(), "the gate closes the connection after the error");
        }
    }

    @Test
    void malformedFramesGetAnErrorAndACloseWhileOthersKeepChatting() throws Exception {
        User dave = user("dave_e2e", "dave-phone", Transport.TCP);
        User erin = user("erin_e2e", "erin-phone", Transport.TCP);

        try (RawConnection raw = new RawConnection(node.gate().tcpPort())) {
            raw.sendBytes("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Frame error = raw.read();
            assertEquals(ErrorCode.BAD_MAGIC.code(), Frames.parse(error, Error.parser()).getCode());
            assertNull(raw.read());
        }
        try (RawConnection raw = new RawConnection(node.gate().tcpPort())) {
            byte[] oversize = {0x4D, 0x47, 1, 0, 0, 5, 0, 0, 0, 1, 0x7F, 0, 0, 0};
            raw.sendBytes(oversize);
            assertEquals(ErrorCode.FRAME_TOO_LARGE.code(), Frames.parse(raw.read(), Error.parser()).getCode());
            assertNull(raw.read());
        }
        try (RawConnection raw = new RawConnection(node.gate().tcpPort())) {
            raw.send(new Frame(Command.LOGIN.code(), 7, 0, new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01}));
            Frame error = raw.read();
            assertEquals(Command.ERROR.code(), error.command());
            assertNotEquals(0, Frames.parse(error, Error.parser()).getCode());
        }

        SendAck ack = dave.client.sendText(ConversationType.SINGLE, erin.uid, "still here").get(20, SECONDS);
        assertEquals(1, ack.getSeq());
        await().atMost(20, SECONDS).until(() -> erin.received.size() == 1);
        assertEquals("still here", erin.received.get(0).getContent().getText());
    }

    private long storedMsgId(String conversation, long seq) throws Exception {
        try (Connection c = DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT msg_id FROM message WHERE conversation_id = ? AND seq = ?")) {
            ps.setString(1, conversation);
            ps.setLong(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for " + conversation + " seq " + seq);
                return rs.getLong(1);
            }
        }
    }

    private User user(String name, String device, Transport transport) throws Exception {
        new AccountClient(config(device, transport)).register(name, PASSWORD, name);
        return login(name, device, transport);
    }

    private User login(String name, String device, Transport transport) throws Exception {
        ClientConfig config = config(device, transport);
        Credentials credentials = new AccountClient(config).login(name, PASSWORD, device, Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        User user = new User(name, credentials.uid(), client, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                user.received.add(message);
            }

            @Override
            public void onKicked(Kick kick) {
                user.kicks.add(kick);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return user;
    }

    private ClientConfig config(String device, Transport transport) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .transport(transport)
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
    }

    private record User(String name, long uid, MagpieClient client, List<Message> received, List<Kick> kicks) {
    }
}
