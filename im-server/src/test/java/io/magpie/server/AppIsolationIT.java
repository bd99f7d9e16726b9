package io.magpie.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.client.MagpieClient;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.gate.GateServer;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.Error;
import io.magpie.protocol.proto.LoginAck;
import io.magpie.protocol.proto.LoginRequest;
import io.magpie.protocol.proto.Platform;
import io.magpie.server.config.ConfigTree;
import io.magpie.testkit.InfrastructureExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * App-id isolation on real servers (issue 12, LSB policy): one node with every role whose gate serves only
 * the app "game" (zone-g), and a second gate serving only "chat" (zone-c), on real MariaDB, Redis and Kafka.
 * A "chat" client logs in over HTTP with its app id, is sent to the chat gate by the LSB and admitted there;
 * its token on the game gate is refused with APP_NOT_SERVED and the connection closed.
 */
@ExtendWith(InfrastructureExtension.class)
class AppIsolationIT {

    private static final String TOKEN_SECRET = "app-isolation-it-token-secret-of-32-bytes-or-more";
    private static final String CLUSTER_SECRET = "app-isolation-it-cluster-secret-of-32-bytes-or-more";
    private static final String PASSWORD = "app isolation password";

    private final List<MagpieClient> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private MagpieNode cluster;
    private MagpieNode chatGateNode;

    @AfterEach
    void stop() {
        clients.forEach(MagpieClient::close);
        if (chatGateNode != null) {
            chatGateNode.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ConfigTree tree(TestIsolation isolation, String appId, String zone, String extra) {
        return ConfigTree.of("""
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "%s"
                cluster:
                  secret: "%s"
                health:
                  bind: 127.0.0.1
                gate:
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                  registry-refresh: 1s
                  app-ids: [%s]
                  zone: %s
                %s""".formatted(isolation.redisKeyPrefix(), isolation.topicPrefix(), TOKEN_SECRET, CLUSTER_SECRET,
                appId, zone, extra), Map.of());
    }

    private void start(Infrastructure infra, TestIsolation isolation) {
        cluster = TestNodes.allRoles(tree(isolation, "game", "zone-g", """
                lsb:
                  port: 0
                  poll-interval: 200ms
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                """), infra, isolation);
        ConfigTree chatTree = tree(isolation, "chat", "zone-c", "");
        chatGateNode = TestNodes.gateOnly(chatTree, infra);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertEquals(2, lsbGates().path("gates").size(), "the LSB sees both gates"));
    }

    private ClientConfig config(String appId, String device) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + cluster.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + cluster.lsbPort())
                .appId(appId)
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .autoReconnect(false)
                .build();
    }

    private JsonNode lsbGates() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.lsbPort()
                + "/v1/gates")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    /** LOGIN with {@code token} straight to {@code gate}: the ERROR it answers, or null after a LOGIN_ACK. */
    private static Error rawLogin(GateServer gate, String token) throws Exception {
        try (RawConnection raw = new RawConnection(gate.tcpPort())) {
            raw.send(Frames.of(Command.LOGIN, 3, LoginRequest.newBuilder().setToken(token).build()));
            Frame answer = raw.read();
            assertTrue(answer != null, "the gate answers LOGIN before anything else");
            if (answer.command() == Command.LOGIN_ACK.code()) {
                return null;
            }
            assertEquals(Command.ERROR.code(), answer.command(), answer.toString());
            assertEquals(3, answer.requestId());
            Error error = Error.parseFrom(answer.body());
            assertNull(raw.read(), "the gate closes the connection after refusing the LOGIN");
            return error;
        }
    }

    @Test
    void aClientOfAnAppIsSentToAndAdmittedByAGateOfItsAppAndRefusedByAGateOfAnother(Infrastructure infra,
            TestIsolation isolation) throws Exception {
        start(infra, isolation);
        GateServer gameGate = cluster.gate();
        GateServer chatGate = chatGateNode.gate();
        ClientConfig chat = config("chat", "chat-phone");
        AccountClient accounts = new AccountClient(chat);
        accounts.register("isolated_chatter", PASSWORD, "chatter");
        Credentials credentials = accounts.login("isolated_chatter", PASSWORD, "chat-phone", Platform.ANDROID);

        // the LSB hands a chat client the chat gate, and says which zone that is
        GateAddress picked = new LsbClient(chat).pickGate();
        assertEquals(chatGate.gateId(), picked.gateId());
        assertEquals("zone-c", picked.zone());

        // its token on the game gate: refused, closed
        Error refused = rawLogin(gameGate, credentials.token());
        assertEquals(ErrorCode.APP_NOT_SERVED.code(), refused.getCode(), refused.getMessage());
        assertFalse(refused.getRetryable());
        assertTrue(refused.getMessage().contains("[game]") && refused.getMessage().contains("'chat'"),
                refused.getMessage());

        // the SDK, going through the LSB, logs in on the chat gate
        MagpieClient client = new MagpieClient(chat);
        clients.add(client);
        LoginAck ack = client.connect(credentials).get(30, TimeUnit.SECONDS);
        assertEquals(chatGate.gateId(), ack.getGateId());
    }

    @Test
    void aTokenWithoutAnAppIsRefusedByAGateServingSpecificApps(Infrastructure infra, TestIsolation isolation)
            throws Exception {
        start(infra, isolation);
        ClientConfig noApp = config(null, "plain-phone");
        AccountClient accounts = new AccountClient(noApp);
        accounts.register("appless_user", PASSWORD, "appless");
        Credentials credentials = accounts.login("appless_user", PASSWORD, "plain-phone", Platform.ANDROID);

        Error refused = rawLogin(chatGateNode.gate(), credentials.token());

        assertEquals(ErrorCode.APP_NOT_SERVED.code(), refused.getCode(), refused.getMessage());
        assertTrue(refused.getMessage().contains("names no app"), refused.getMessage());
    }

    @Test
    void theLsbPrefersTheRequestedZoneAmongTheGatesOfTheAppAndTheOpsViewShowsCapacityAndZone(
            Infrastructure infra, TestIsolation isolation) throws Exception {
        start(infra, isolation);

        JsonNode gates = lsbGates().path("gates");
        for (JsonNode gate : gates) {
            assertEquals(200_000, gate.path("capacity").asInt(), gate.toString());
            assertTrue(gate.path("relativeLoad").isNumber(), gate.toString());
            assertTrue(List.of("zone-g", "zone-c").contains(gate.path("zone").asText()), gate.toString());
        }
        // a game client asking for chat's zone: app isolation wins, it gets the game gate in zone-g
        GateAddress game = new LsbClient(config("game", "game-phone").toBuilder().zone("zone-c").build()).pickGate();
        assertEquals(cluster.gate().gateId(), game.gateId());
        assertEquals("zone-g", game.zone());
    }
}
