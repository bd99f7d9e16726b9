package io.magpie.server;

import static io.magpie.server.SdkUsers.refusal;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.magpie.client.AccountClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.hooks.HookSigner;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.config.ConfigTree;
import io.magpie.server.SdkUsers.SdkUser;
import io.magpie.testkit.InfrastructureExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's webhooks on real servers (docs/operations.md, "Webhooks"), against a hook server in the test: the
 * before-send hook rejects and rewrites messages, a replay is not asked about again, a hook that does not answer in
 * time fails open for the default app and closed for an app set so, the after-send events of an app with an
 * endpoint of its own go there only, and every request carries a signature the documented algorithm verifies.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksIT {

    private static final String SECRET = "webhooks-it-shared-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer hookServer;
    private ExecutorService hookThreads;
    /** Every request the hook server got: path, headers that matter, body. */
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private MagpieNode cluster;
    /** After-send requests still to fail (HTTP 500) before the hook server takes them. */
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger failedAfterSends = new AtomicInteger();
    /** Events of the after-send requests the hook server answered 200. */
    private final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    /** While true the shop app's after-send endpoint answers every request 503. */
    private final AtomicBoolean shopDown = new AtomicBoolean();
    private final AtomicInteger shopRefusals = new AtomicInteger();
    /** Events of the requests the shop app's after-send endpoint answered 200. */
    private final List<JsonNode> deliveredToShop = new CopyOnWriteArrayList<>();
    private SdkUsers users;

    private record Received(String path, String timestamp, String signature, String event, byte[] body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    void start(Infrastructure infra, TestIsolation isolation) throws Exception {
        hookServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hookThreads = Executors.newCachedThreadPool();
        hookServer.setExecutor(hookThreads);
        hookServer.createContext("/before", this::beforeSend);
        hookServer.createContext("/after", this::afterSend);
        hookServer.createContext("/shop-after", this::shopAfterSend);
        hookServer.start();
        String hooks = "http://127.0.0.1:" + hookServer.getAddress().getPort();
        cluster = TestNodes.allRoles(ConfigTree.of("""
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "webhooks-it-token-secret-of-32-bytes-or-more"
                cluster:
                  secret: "webhooks-it-cluster-secret-of-32-bytes-or-more"
                health:
                  bind: 127.0.0.1
                gate:
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                lsb:
                  port: 0
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                  rate-limits:
                    messages-per-second: 0
                    messages-per-minute: 0
                hooks:
                  secret: "%s"
                  before-send:
                    url: "%s/before"
                    timeout: 300ms
                    on-failure: open
                  app-ids: [strict, shop]
                  apps:
                    strict:
                      before-send:
                        on-failure: closed
                    shop:
                      after-send:
                        url: "%s/shop-after"
                  after-send:
                    url: "%s/after"
                    retry-backoff-min: 100ms
                    retry-backoff-max: 1s
                """.formatted(isolation.redisKeyPrefix(), isolation.topicPrefix(), SECRET, hooks, hooks, hooks),
                Map.of()),
                infra, isolation);
        users = SdkUsers.of(cluster);
    }

    @AfterAll
    void stop() {
        if (users != null) {
            users.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (hookServer != null) {
            hookServer.stop(0);
            hookThreads.shutdownNow();
        }
    }

    /** Rejects texts starting "reject", rewrites those starting "rewrite", answers "slow" ones too late. */
    private void beforeSend(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        requests.add(new Received("/before", exchange.getRequestHeaders().getFirst("X-Magpie-Timestamp"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Signature"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Event"), body));
        StringBuilder results = new StringBuilder("{\"results\":[");
        boolean slow = false;
        for (JsonNode m : JSON.readTree(body).path("messages")) {
            String text = m.path("content").path("text").asText();
            int index = m.path("index").asInt();
            String result = null;
            if (text.startsWith("reject")) {
                result = "{\"index\":" + index + ",\"action\":\"reject\",\"code\":\"spam\",\"reason\":\"no ads here\"}";
            } else if (text.startsWith("rewrite")) {
                result = "{\"index\":" + index + ",\"action\":\"rewrite\",\"content\":{\"type\":\"TEXT\","
                        + "\"text\":\"[edited by the operator]\"}}";
            } else if (text.startsWith("slow")) {
                slow = true;
            }
            if (result != null) {
                results.append(results.charAt(results.length() - 1) == '[' ? "" : ",").append(result);
            }
        }
        if (slow) {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        respond(exchange, 200, results.append("]}").toString());
    }

    /**
     * Answers 500 to requests with the after-send test's messages while {@link #failuresLeft} is positive (counting
     * down), 200 otherwise, keeping the events of the requests it took.
     */
    private void afterSend(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Received r = new Received("/after", exchange.getRequestHeaders().getFirst("X-Magpie-Timestamp"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Signature"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Event"), body);
        requests.add(r);
        // only requests carrying the after-send test's messages fail, so the retries are of its events
        if (new String(body, StandardCharsets.UTF_8).contains("\"text\":\"after ") && failuresLeft.getAndDecrement() > 0) {
            failedAfterSends.incrementAndGet();
            respond(exchange, 500, "{\"error\":\"not now\"}");
            return;
        }
        for (JsonNode e : r.json().path("events")) {
            delivered.add(e);
        }
        respond(exchange, 200, "{}");
    }

    /** The shop app's own after-send endpoint: 503 while {@link #shopDown}, else 200 keeping the events. */
    private void shopAfterSend(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Received r = new Received("/shop-after", exchange.getRequestHeaders().getFirst("X-Magpie-Timestamp"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Signature"),
                exchange.getRequestHeaders().getFirst("X-Magpie-Event"), body);
        requests.add(r);
        if (shopDown.get()) {
            shopRefusals.incrementAndGet();
            respond(exchange, 503, "{\"error\":\"down\"}");
            return;
        }
        for (JsonNode e : r.json().path("events")) {
            deliveredToShop.add(e);
        }
        respond(exchange, 200, "{}");
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void theBeforeSendHookRejectsAndRewritesAndIsNotAskedAboutAReplay() throws Exception {
        SdkUser ann = users.register("ann_hooks", "ann-phone", null);
        SdkUser ben = users.register("ben_hooks", "ben-phone", null);

        MagpieErrorException refused = refusal(ann.client().send("h-1", ConversationType.SINGLE, ben.uid(), text("reject: buy now")));
        assertEquals(ErrorCode.HOOK_REJECTED, refused.code());
        assertTrue(refused.getMessage().contains("code 'spam'") && refused.getMessage().contains("no ads here"),
                refused.getMessage());

        SendAck ack = ann.client().send("h-2", ConversationType.SINGLE, ben.uid(), text("rewrite me")).get(20, SECONDS);
        assertEquals("[edited by the operator]", ack.getContent().getText(), "the ack tells what was stored");
        SendAck plain = ann.client().send("h-3", ConversationType.SINGLE, ben.uid(), text("hello")).get(20, SECONDS);
        assertFalse(plain.hasContent(), "an allowed message is stored as sent");
        await().atMost(20, SECONDS).until(() -> ben.received().size() >= 2);
        assertEquals(List.of("[edited by the operator]", "hello"),
                ben.received().stream().map(m -> m.getContent().getText()).toList(), "the rejected one never arrives");

        SendAck replay = ann.client().send("h-2", ConversationType.SINGLE, ben.uid(), text("rewrite me")).get(20, SECONDS);
        assertEquals(ack.getMsgId(), replay.getMsgId());
        assertEquals("[edited by the operator]", replay.getContent().getText());
        assertEquals(1, requestsMentioning("\"client_msg_id\":\"h-2\""), "a replay is answered from storage");
    }

    @Test
    void aHookThatDoesNotAnswerInTimeFailsOpenByDefaultAndClosedWhereSetSo() throws Exception {
        SdkUser cat = users.register("cat_hooks", "cat-phone", null);
        SdkUser dan = users.register("dan_hooks", "dan-phone", "strict");
        SdkUser eve = users.register("eve_hooks", "eve-phone", null);

        SendAck open = cat.client().send("t-1", ConversationType.SINGLE, eve.uid(), text("slow but fine")).get(20, SECONDS);
        assertTrue(open.getSeq() > 0, "fail open: stored unchecked");
        await().atMost(20, SECONDS).until(() -> !eve.received().isEmpty());
        assertEquals("slow but fine", eve.received().get(0).getContent().getText());

        MagpieErrorException closed = refusal(dan.client().send("t-2", ConversationType.SINGLE, eve.uid(),
                text("slow and refused")));
        assertEquals(ErrorCode.SERVER_BUSY, closed.code(), "fail closed: refused, retryable");
        assertTrue(closed.getMessage().contains("resend it later"), closed.getMessage());
        assertTrue(requestsMentioning("\"app_id\":\"strict\"") >= 1, "the strict app's messages name their app");
    }

    @Test
    void everyRequestCarriesASignatureTheDocumentedAlgorithmVerifies() throws Exception {
        SdkUser fay = users.register("fay_hooks", "fay-phone", null);
        SdkUser gus = users.register("gus_hooks", "gus-phone", null);
        fay.client().send("s-1", ConversationType.SINGLE, gus.uid(), text("sign this")).get(20, SECONDS);

        assertFalse(requests.isEmpty());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        for (Received r : requests) {
            mac.update((r.timestamp() + ".").getBytes(StandardCharsets.US_ASCII));
            String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal(r.body()));
            assertEquals(expected, r.signature(), "HMAC-SHA256 of \"<timestamp>.<body>\" with the shared secret");
            assertTrue(new HookSigner(SECRET).verify(r.timestamp(), r.body(), r.signature()));
            assertFalse(new HookSigner("another-secret-of-16+").verify(r.timestamp(), r.body(), r.signature()));
            assertEquals(r.path().equals("/before") ? r.json().path("event").asText() : "after_send", r.event());
        }
    }

    @Test
    void afterSendDeliversEveryStoredMessageGroupAndFriendChangeOnceThroughAnEndpointThatFailsTwice() throws Exception {
        SdkUser hal = users.register("hal_hooks", "hal-phone", null);
        SdkUser ivy = users.register("ivy_hooks", "ivy-phone", null);
        int failedBefore = failedAfterSends.get();
        failuresLeft.set(2);
        int count = 12;
        List<Long> msgIds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            msgIds.add(hal.client().send("a-" + i, ConversationType.SINGLE, ivy.uid(), text("after " + i)).get(20, SECONDS)
                    .getMsgId());
        }
        AccountClient accounts = users.accounts("hal-phone");
        long groupId = accounts.createGroup(hal.credentials(), "hook watchers", List.of(ivy.uid()));
        long requestId = hal.client().friends().request(ivy.uid(), "hi ivy").get(20, SECONDS).requestId();

        String conversation = "s_" + Math.min(hal.uid(), ivy.uid()) + "_" + Math.max(hal.uid(), ivy.uid());
        await().atMost(60, SECONDS).until(() -> ofConversation(conversation).size() >= count
                && !ofConversation("g_" + groupId).isEmpty() && friendRequestEvents(requestId) >= 1);
        Thread.sleep(1_000); // a duplicate would come right behind
        assertEquals(failedBefore + 2, failedAfterSends.get(), "the endpoint refused two requests");
        List<Long> seen = ofConversation(conversation).stream().map(e -> e.path("message").path("msg_id").asLong())
                .toList();
        assertEquals(msgIds, seen, "every message once, in conversation order");
        JsonNode first = ofConversation(conversation).get(0);
        assertEquals("message.stored", first.path("event").asText());
        assertEquals("message.stored:" + msgIds.get(0), first.path("id").asText());
        assertEquals("after 0", first.path("message").path("content").path("text").asText());
        assertEquals(hal.uid(), first.path("message").path("sender_uid").asLong());
        JsonNode created = ofConversation("g_" + groupId).get(0);
        assertEquals("group.changed", created.path("event").asText());
        assertEquals("GROUP_CREATED", created.path("message").path("content").path("groupEvent").path("type").asText());
        assertEquals(1, friendRequestEvents(requestId), "one event per friend change");
        JsonNode friend = delivered.stream().filter(e -> e.path("request").path("request_id").asLong() == requestId)
                .findFirst().orElseThrow();
        assertEquals("request", friend.path("change").asText());
        assertEquals(hal.uid(), friend.path("actor_uid").asLong());
        assertEquals(ivy.uid(), friend.path("uid").asLong());
    }

    @Test
    void anAppsAfterSendEventsGoToItsOwnEndpointOnlyWhoseFailuresHoldBackNoOtherEndpoint() throws Exception {
        SdkUser joy = users.register("joy_hooks", "joy-phone", "shop");
        SdkUser kim = users.register("kim_hooks", "kim-phone", null);
        shopDown.set(true);
        long fromShop = joy.client().send("p-1", ConversationType.SINGLE, kim.uid(), text("from the shop"))
                .get(20, SECONDS).getMsgId();
        long groupId = users.accounts("joy-phone").createGroup(joy.credentials(), "shop watchers", List.of(kim.uid()));
        long requestId = joy.client().friends().request(kim.uid(), "hi from the shop").get(20, SECONDS).requestId();
        await().atMost(30, SECONDS).until(() -> shopRefusals.get() >= 1);

        // the shop's endpoint refuses everything meanwhile; the default's events of the same conversation still go
        long fromNoApp = kim.client().send("p-2", ConversationType.SINGLE, joy.uid(), text("from no app"))
                .get(20, SECONDS).getMsgId();
        await().atMost(30, SECONDS).until(() -> !withMsgId(delivered, fromNoApp).isEmpty());
        assertTrue(shopDown.get() && deliveredToShop.isEmpty(), "the shop's endpoint has taken nothing yet");
        JsonNode noApp = withMsgId(delivered, fromNoApp).get(0);
        assertTrue(noApp.has("app_id"));
        assertEquals("", noApp.path("app_id").asText(), "a session without an app");

        shopDown.set(false);
        await().atMost(30, SECONDS).until(() -> !withMsgId(deliveredToShop, fromShop).isEmpty()
                && deliveredToShop.stream().anyMatch(e -> e.path("message").path("conversation_id").asText()
                        .equals("g_" + groupId))
                && deliveredToShop.stream().anyMatch(e -> e.path("request").path("request_id").asLong() == requestId));
        assertEquals("shop", withMsgId(deliveredToShop, fromShop).get(0).path("app_id").asText());
        for (JsonNode e : deliveredToShop) {
            assertEquals("shop", e.path("app_id").asText(), "only the shop's events: " + e);
        }
        assertTrue(withMsgId(delivered, fromShop).isEmpty(), "the default endpoint never gets the shop's message");
        assertTrue(delivered.stream().noneMatch(e -> "shop".equals(e.path("app_id").asText())),
                "nor any other event of the shop");
        assertTrue(withMsgId(deliveredToShop, fromNoApp).isEmpty());
    }

    private static List<JsonNode> withMsgId(List<JsonNode> events, long msgId) {
        return events.stream().filter(e -> e.path("message").path("msg_id").asLong() == msgId).toList();
    }

    private List<JsonNode> ofConversation(String conversationId) {
        return delivered.stream().filter(e -> e.path("message").path("conversation_id").asText()
                .equals(conversationId)).toList();
    }

    private long friendRequestEvents(long requestId) {
        return delivered.stream().filter(e -> "friend.changed".equals(e.path("event").asText())
                && e.path("request").path("request_id").asLong() == requestId).count();
    }

    /** Before-send requests whose body contains {@code fragment}. */
    private long requestsMentioning(String fragment) {
        return requests.stream().filter(r -> r.path().equals("/before")
                && new String(r.body(), StandardCharsets.UTF_8).contains(fragment)).count();
    }

    private static MessageContent text(String text) {
        return MessageContent.newBuilder().setType(MessageType.TEXT).setText(text).build();
    }
}
