package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieApiException;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.SendAck;
import io.magpie.testkit.InfrastructureExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java SDK against every real role in this JVM (as {@code magpie standalone} runs them) on the real
 * embedded MariaDB, Redis and Kafka: a gate whose SEND budget is 5 per second (burst 1) refuses a burst of
 * sends with RATE_LIMITED and retry_after_ms, which the SDK resends on its own; and {@code logout()} ends
 * the device session on the account API, not only at the gate.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientSdkIT {

    private static final String PASSWORD = "correct horse battery";
    private static final int SENDS_PER_SECOND = 5;

    private Infrastructure infra;
    private TestIsolation isolation;
    private MagpieNode node;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        this.infra = infra;
        this.isolation = isolation;
        node = TestNodes.allRoles(infra, isolation, "client-sdk", Map.of("gate.limits.sends-per-second", String.valueOf(SENDS_PER_SECOND),
                "gate.limits.send-burst", "1"));
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aBurstOfSendsOverTheGatesBudgetIsResentAfterTheRetryAfterAndEverySendIsAcked() throws Exception {
        User alice = user("alice_sdk", "alice-phone", Clock.systemUTC());
        User bob = user("bob_sdk", "bob-phone", Clock.systemUTC());
        int count = 2 * SENDS_PER_SECOND; // the gate takes one now and one per 200 ms: most are refused first

        List<CompletableFuture<SendAck>> sends = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            sends.add(alice.client.send("burst-" + i, ConversationType.SINGLE, bob.uid, MessageContent.newBuilder()
                    .setType(MessageType.TEXT).setText("burst " + i).build()));
        }

        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<SendAck> send : sends) {
            seqs.add(send.get(30, SECONDS).getSeq()); // without resends, RATE_LIMITED fails most of them
        }
        assertEquals(LongStream.rangeClosed(1, count).boxed().toList(), seqs.stream().sorted().toList(),
                "each message stored once");
        await().atMost(20, SECONDS).until(() -> bob.received.size() >= count);
        assertEquals(count, bob.received.size());

        // the pacing ended with the burst: the connection sends as before
        SendAck after = alice.client.sendText(ConversationType.SINGLE, bob.uid, "after the burst").get(30, SECONDS);
        assertEquals(count + 1, after.getSeq());
    }

    @Test
    void logoutEndsTheSessionOnTheAccountApiSoItsRefreshTokenIsDeadAtOnce() throws Exception {
        User carol = user("carol_sdk", "carol-phone", Clock.systemUTC());
        assertTrue(hasSession(carol.uid, "carol-phone"));

        carol.client.logout().get(20, SECONDS);

        assertEquals(ConnectionState.DISCONNECTED, carol.client.state());
        assertFalse(hasSession(carol.uid, "carol-phone"),
                "the session row is gone at once: the account API revoked it, not only the gate's Redis mark");
        MagpieApiException refresh = assertThrows(MagpieApiException.class,
                () -> new AccountClient(config("carol-phone", Clock.systemUTC())).refresh(carol.credentials));
        assertEquals(401, refresh.status());
        assertLoginRefused("carol-phone", carol.credentials);
    }

    @Test
    void logoutWithAnExpiredAccessTokenRefreshesItFirstAndStillEndsTheSession() throws Exception {
        // the client's clock runs two hours ahead: every access token it holds looks expired to it
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        User dave = user("dave_sdk", "dave-phone", ahead);
        Credentials held = dave.client.credentials();

        dave.client.logout().get(20, SECONDS);

        assertFalse(hasSession(dave.uid, "dave-phone"));
        MagpieApiException refresh = assertThrows(MagpieApiException.class,
                () -> new AccountClient(config("dave-phone", Clock.systemUTC())).refresh(held));
        assertEquals(401, refresh.status());
    }

    private void assertLoginRefused(String device, Credentials credentials) {
        MagpieClient again = new MagpieClient(config(device, Clock.systemUTC()).toBuilder().autoReconnect(false)
                .build());
        clients.add(again);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> again.connect(new Credentials(credentials.uid(), credentials.token(), credentials.expiresAt()))
                        .get(20, SECONDS));
        assertEquals(ErrorCode.INVALID_TOKEN, assertInstanceOf(MagpieErrorException.class, e.getCause()).code());
    }

    private boolean hasSession(long uid, String device) throws Exception {
        try (Connection c = DriverManager.getConnection(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword());
             PreparedStatement ps = c.prepareStatement(
                     "SELECT 1 FROM device_session WHERE uid = ? AND device_id = ?")) {
            ps.setLong(1, uid);
            ps.setString(2, device);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private User user(String name, String device, Clock clock) throws Exception {
        ClientConfig config = config(device, clock);
        AccountClient accounts = new AccountClient(config);
        accounts.register(name, PASSWORD, name);
        Credentials credentials = accounts.login(name, PASSWORD, device, Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        User user = new User(credentials.uid(), credentials, client, new CopyOnWriteArrayList<>());
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                user.received.add(message);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return user;
    }

    private ClientConfig config(String device, Clock clock) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .clock(clock)
                .build();
    }

    private record User(long uid, Credentials credentials, MagpieClient client, List<Message> received) {
    }
}
