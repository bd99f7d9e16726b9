package io.magpie.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.magpie.hooks.BeforeSendHook.Candidate;
import io.magpie.hooks.BeforeSendHook.Verdict;
import io.magpie.hooks.internal.HookEvents;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.FriendRequest;
import io.magpie.protocol.proto.FriendRequestState;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTarget;
import io.magpie.protocol.proto.PushTask;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hook payloads byte for byte as docs/operations.md ("Webhooks") shows them, and the answers the hook may give. */
class PayloadsTest {

    private static final String SECRET = "payloads-test-secret";

    private HttpServer server;
    private final AtomicReference<byte[]> received = new AtomicReference<>();
    private final AtomicReference<String> answer = new AtomicReference<>("");

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.set(exchange.getRequestBody().readAllBytes());
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private BeforeSendHook hook() {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/before-send");
        return new BeforeSendHook(new WebhookConfig(new BeforeSendSettings(url, SECRET, Duration.ofSeconds(2),
                FailureMode.OPEN, 100), Map.of(), null, Map.of()), Clock.systemUTC());
    }

    private static List<Candidate> twoMessages() {
        return List.of(
                new Candidate("shop", "c-17", 1001, "phone-1", "s_1001_1002", ConversationType.SINGLE, 1002,
                        MessageContent.newBuilder().setType(MessageType.TEXT).setText("buy cheap watches").build()),
                new Candidate("shop", "c-18", 1001, "phone-1", "g_5001", ConversationType.GROUP, 5001,
                        MessageContent.newBuilder().setType(MessageType.TEXT).setText("see you at 8").build()));
    }

    @Test
    void beforeSendRequestAndAnswer() {
        answer.set("{\"results\":[{\"index\":0,\"action\":\"reject\",\"code\":\"spam\",\"reason\":\"no ads\"},"
                + "{\"index\":1,\"action\":\"rewrite\",\"content\":{\"type\":\"TEXT\",\"text\":\"see you at 20:00\"}}]}");

        List<Verdict> verdicts = hook().review(twoMessages());

        assertEquals("{\"event\":\"message.before_send\",\"app_id\":\"shop\",\"messages\":[{\"index\":0,"
                + "\"client_msg_id\":\"c-17\",\"sender_uid\":1001,\"device_id\":\"phone-1\",\"conversation_id\":"
                + "\"s_1001_1002\",\"conversation_type\":\"SINGLE\",\"target_id\":1002,\"content\":{\"type\":\"TEXT\","
                + "\"text\":\"buy cheap watches\"}},{\"index\":1,\"client_msg_id\":\"c-18\",\"sender_uid\":1001,"
                + "\"device_id\":\"phone-1\",\"conversation_id\":\"g_5001\",\"conversation_type\":\"GROUP\","
                + "\"target_id\":5001,\"content\":{\"type\":\"TEXT\",\"text\":\"see you at 8\"}}]}",
                new String(received.get(), StandardCharsets.UTF_8));
        assertEquals(new BeforeSendHook.Reject("spam", "no ads"), verdicts.get(0));
        assertEquals("see you at 20:00", assertInstanceOf(BeforeSendHook.Rewrite.class, verdicts.get(1)).content()
                .getText());
    }

    @Test
    void anEmptyAnswerAllowsEverythingAndAnUnknownActionFailsOpen() {
        answer.set("");
        assertEquals(List.of(new BeforeSendHook.Allow(), new BeforeSendHook.Allow()), hook().review(twoMessages()));
        answer.set("{\"results\":[{\"index\":0,\"action\":\"shrug\"}]}");
        assertEquals(List.of(new BeforeSendHook.Allow(), new BeforeSendHook.Allow()), hook().review(twoMessages()));
    }

    @Test
    void afterSendEvents() throws Exception {
        HookEvents events = new HookEvents(new ObjectMapper(), EnumSet.allOf(HookEvent.class), app -> true);
        Message m = Message.newBuilder().setMsgId(7265241927680001L).setConversationId("s_1001_1002")
                .setConversationType(ConversationType.SINGLE).setSeq(42).setSenderUid(1001)
                .setSenderDeviceId("phone-1").setClientMsgId("c-17").setTargetId(1002).setServerTime(1764892800123L)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hello")).build();
        PushTask push = PushTask.newBuilder().setCommand(Command.PUSH.code()).setAppId("shop")
                .setBody(Push.newBuilder().addMessages(m).build().toByteString()).build();
        assertEquals("{\"event\":\"message.stored\",\"id\":\"message.stored:7265241927680001\",\"app_id\":\"shop\","
                + "\"message\":{\"msg_id\":7265241927680001,\"conversation_id\":\"s_1001_1002\","
                + "\"conversation_type\":\"SINGLE\",\"seq\":42,\"sender_uid\":1001,\"sender_device_id\":\"phone-1\","
                + "\"client_msg_id\":\"c-17\",\"target_id\":1002,\"server_time\":1764892800123,"
                + "\"content\":{\"type\":\"TEXT\",\"text\":\"hello\"}}}",
                events.of(push.toByteArray(), 3, 977).get(0).toString());

        Notice accepted = Notice.newBuilder().setType(NoticeType.NOTICE_FRIEND_ACCEPTED).setUid(1002)
                .setFriendsVersion(9).setFriendRequest(FriendRequest.newBuilder().setRequestId(88).setFromUid(1001)
                        .setToUid(1002).setMessage("hi").setState(FriendRequestState.FRIEND_REQUEST_ACCEPTED)
                        .setCreatedAt(1764892700000L).setUpdatedAt(1764892800000L)).build();
        PushTask notice = PushTask.newBuilder().setCommand(Command.NOTICE.code()).setAppId("shop")
                .addTargets(PushTarget.newBuilder().setUid(1001)).setBody(accepted.toByteString()).build();
        assertEquals("{\"event\":\"friend.changed\",\"id\":\"friend.changed:3-978\",\"app_id\":\"shop\","
                + "\"change\":\"accepted\",\"actor_uid\":1002,\"uid\":1001,\"request\":{\"request_id\":88,"
                + "\"from_uid\":1001,\"to_uid\":1002,\"message\":\"hi\",\"state\":\"accepted\","
                + "\"created_at\":1764892700000,\"updated_at\":1764892800000}}",
                events.of(notice.toByteArray(), 3, 978).get(0).toString());

        PushTask ack = PushTask.newBuilder().setCommand(Command.SEND_ACK.code()).build();
        assertTrue(events.of(ack.toByteArray(), 0, 1).isEmpty(), "acks, errors and other notices are no events");
    }

    @Test
    void theSignatureIsTheHmacOfTimestampDotBody() {
        HookSigner signer = new HookSigner("s3cret-s3cret-s3cret");
        byte[] body = "{\"events\":[]}".getBytes(StandardCharsets.UTF_8);
        String signature = signer.sign(1764892800123L, body);
        assertEquals("v1=" + HMAC_OF_EXAMPLE, signature);
        assertTrue(signer.verify("1764892800123", body, signature));
        assertTrue(!signer.verify("1764892800124", body, signature), "another timestamp, another signature");
    }

    /** HMAC-SHA256("s3cret-s3cret-s3cret", "1764892800123.{\"events\":[]}"), also computed with openssl in the docs. */
    private static final String HMAC_OF_EXAMPLE = "763ccbae63573c2ff1fe32b05ef9626c1ad5e81b4b52c22f5199dd6f98abc837";
}
