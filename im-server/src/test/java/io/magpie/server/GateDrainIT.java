package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.ConnectionState;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.gate.GateServer;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Draining a gate on real servers (docs/operations.md §5): one process runs logic, router, LSB and gate A, a
 * second process-like node runs only gate B with its admin endpoint. Clients spread over both gates send to
 * each other without pause; the operator drains gate B over its health listener. Gate B's clients get
 * RECONNECT, move through the LSB to gate A and SYNC; gate B stops; the LSB never hands it out while it
 * drains; and every acknowledged message reaches its recipient exactly once and in seq order.
 */
@ExtendWith(InfrastructureExtension.class)
class GateDrainIT {

    private static final String PASSWORD = "correct horse battery";
    private static final String ADMIN_TOKEN = "gate-drain-it-admin-token-0123456789abcdef";
    private static final int USERS = 12;

    private final List<MagpieClient> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private MagpieNode cluster;
    private MagpieNode gateNode;

    @AfterEach
    void stop() {
        clients.forEach(MagpieClient::close);
        if (gateNode != null) {
            gateNode.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ConfigTree clusterTree(TestIsolation isolation) {
        return TestNodes.allRoleSettings(isolation, "gate-drain-it", Map.of("gate.registry-refresh", "1s"));
    }

    /** The second gate, which the tests drain. */
    private static ConfigTree drainedGateTree(TestIsolation isolation) {
        return TestNodes.gateSettings(isolation, "gate-drain-it", Map.of(
                "gate.registry-refresh", "1s",
                "gate.admin-token", ADMIN_TOKEN,
                "gate.drain.reconnects-per-second", "20",
                "gate.drain.deadline", "20s"));
    }

    @Test
    void drainedGatesClientsMoveToTheOtherGateAndEveryAcknowledgedMessageArrivesOnceInOrder(Infrastructure infra,
            TestIsolation isolation) throws Exception {
        cluster = TestNodes.allRoles(clusterTree(isolation), infra, isolation);
        gateNode = TestNodes.gateOnly(drainedGateTree(isolation), infra);
        GateServer gateA = cluster.gate();
        GateServer gateB = gateNode.gate();

        // users 0..11; user i sends to user i+1, so each conversation has one sender and one recipient
        List<ListeningUser> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(user("drain_user_" + i, "phone-" + i));
        }
        assertTrue(gateB.sessionCount() >= USERS / 4 && gateA.sessionCount() >= USERS / 4,
                "the LSB spread the clients: A " + gateA.sessionCount() + ", B " + gateB.sessionCount());
        int onB = gateB.sessionCount();

        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService senders = Executors.newFixedThreadPool(USERS);
        List<Future<Long>> acked = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            ListeningUser from = users.get(i);
            ListeningUser to = users.get((i + 1) % USERS);
            acked.add(senders.submit(() -> sendUntilStopped(from, to, sending)));
        }
        Thread.sleep(2_000);

        // the endpoint is closed to anyone without the admin token
        assertEquals(401, drainRequest("POST", null).statusCode());
        assertEquals(401, drainRequest("POST", "wrong-token-wrong-token-wrong-token!!").statusCode());
        assertEquals("ACTIVE", json.readTree(drainRequest("GET", ADMIN_TOKEN).body()).get("state").asText());

        HttpResponse<String> drain = drainRequest("POST", ADMIN_TOKEN);
        assertEquals(202, drain.statusCode(), drain.body());
        assertEquals("DRAINING", json.readTree(drain.body()).get("state").asText());

        // once the LSB has read the DRAINING entry it never hands gate B out
        await().atMost(10, SECONDS).until(() -> lsbGates().contains("\"DRAINING\"")
                || !lsbGates().contains(gateB.gateId()));
        for (int i = 0; i < 20; i++) {
            assertNotEquals(gateB.gateId(), lsbGate(), "the LSB handed out the draining gate");
        }

        gateNode.gateStopped().get(30, SECONDS);
        assertEquals(0, gateB.connectionCount(), "no connection left on the drained gate");
        assertTrue(gateB.reconnectsSent() >= onB, "RECONNECT to each of its " + onB + " sessions");
        assertEquals("STOPPED", json.readTree(drainRequest("GET", ADMIN_TOKEN).body()).get("state").asText());

        Thread.sleep(1_500); // traffic goes on over the moved sessions
        sending.set(false);
        senders.shutdown();
        assertTrue(senders.awaitTermination(60, SECONDS));

        await().atMost(10, SECONDS).until(() -> gateA.sessionCount() == USERS);
        for (int i = 0; i < USERS; i++) {
            assertEquals(ConnectionState.CONNECTED, users.get(i).client().state(), "user " + i);
        }
        for (int i = 0; i < USERS; i++) {
            long sent = acked.get(i).get();
            ListeningUser from = users.get(i);
            ListeningUser to = users.get((i + 1) % USERS);
            assertTrue(sent > 5, "steady traffic from user " + i + ": " + sent + " acked");
            await().atMost(20, SECONDS).until(() -> to.received().stream()
                    .filter(m -> m.getSenderUid() == from.uid()).count() >= sent);
            List<Long> seqs = to.received().stream().filter(m -> m.getSenderUid() == from.uid())
                    .map(Message::getSeq).toList();
            assertEquals(LongStream.rangeClosed(1, sent).boxed().toList(), seqs,
                    "user " + ((i + 1) % USERS) + " got every acknowledged message of user " + i + " once, in order");
            // a resend that crossed the move may come back to its sender once (guarantees.md item 4), never twice
            assertEquals(to.received().size(), to.received().stream().map(m -> m.getConversationId() + "#" + m.getSeq())
                    .distinct().count(), "no (conversation, seq) delivered twice to user " + ((i + 1) % USERS));
        }
    }

    /** Sends text messages one after the other until stopped; a failed send is resent with its client id. */
    private long sendUntilStopped(ListeningUser from, ListeningUser to, AtomicBoolean sending) throws InterruptedException {
        long lastSeq = 0;
        int n = 0;
        while (sending.get()) {
            n++;
            String clientMsgId = "drain-" + from.uid() + "-" + n;
            MessageContent content = MessageContent.newBuilder().setType(MessageType.TEXT).setText("m" + n).build();
            while (true) {
                try {
                    lastSeq = from.client().send(clientMsgId, ConversationType.SINGLE, to.uid(), content)
                            .get(30, SECONDS).getSeq();
                    break;
                } catch (Exception e) {
                    Thread.sleep(100); // moving; the same client id is deduplicated
                }
            }
            Thread.sleep(50);
        }
        return lastSeq;
    }

    private HttpResponse<String> drainRequest(String method, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateNode.healthPort()
                + "/admin/v1/drain")).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String lsbGates() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.lsbPort() + "/v1/gates"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String lsbGate() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.lsbPort()
                + "/v1/gate")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(r.body());
        assertEquals(200, r.statusCode(), r.body());
        return body.get("gateId").asText();
    }

    private ListeningUser user(String name, String device) throws Exception {
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + cluster.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + cluster.lsbPort())
                .deviceId(device)
                .platform(Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        AccountClient accounts = new AccountClient(config);
        accounts.register(name, PASSWORD, name);
        Credentials credentials = accounts.login(name, PASSWORD, device, Platform.ANDROID);
        return ListeningUser.connect(new MagpieClient(config), credentials, clients, 20);
    }

}
