package io.magpie.hooks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.magpie.hooks.AfterSendEndpoint;
import io.magpie.hooks.AfterSendSettings;
import io.magpie.hooks.HookEvent;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Push;
import io.magpie.protocol.proto.PushTask;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch's requests go out in order; a failed one fails the batch, and its retry sends only what was not taken;
 * an endpoint sends only the events of the apps it takes.
 */
class AfterSendHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final AtomicInteger requestsToRefuse = new AtomicInteger();
    private final AtomicInteger refuseAfter = new AtomicInteger();
    /** msg_ids of the events of each request answered 200, in order. */
    private final List<List<Long>> taken = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            boolean refuse = refuseAfter.getAndDecrement() <= 0 && requestsToRefuse.getAndDecrement() > 0;
            if (!refuse) {
                List<Long> ids = new ArrayList<>();
                body.path("events").forEach(e -> ids.add(e.path("message").path("msg_id").asLong()));
                taken.add(ids);
            }
            exchange.sendResponseHeaders(refuse ? 503 : 204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aRetryAfterAFailedRequestSendsOnlyTheEventsNotTakenYet() throws Exception {
        AfterSendHandler handler = handler(2);
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(record(10 + i, 100 + i));
        }
        batch.add(new ConsumerRecord<>("magpie.push", 0, 15, "s_1_2", PushTask.newBuilder()
                .setCommand(Command.SEND_ACK.code()).build().toByteArray()));
        refuseAfter.set(1);
        requestsToRefuse.set(1);

        HookDeliveryException failed = assertThrows(HookDeliveryException.class, () -> handler.handle(batch));
        assertTrue(failed.getMessage().contains("answered HTTP 503"), failed.getMessage());
        assertEquals(List.of(List.of(100L, 101L)), taken, "the first request was taken before the second failed");

        assertTrue(handler.handle(batch), "the retry of the rewound batch");
        assertEquals(List.of(List.of(100L, 101L), List.of(102L, 103L), List.of(104L)), taken,
                "each event once, in order, at most two per request");
    }

    @Test
    void aRevokedPartitionForgetsWhatWasTaken() throws Exception {
        AfterSendHandler handler = handler(1);
        List<ConsumerRecord<String, byte[]>> batch = List.of(record(0, 1), record(1, 2));
        refuseAfter.set(1);
        requestsToRefuse.set(1);
        assertThrows(HookDeliveryException.class, () -> handler.handle(batch));

        handler.onRevoked(List.of(new TopicPartition("magpie.push", 0)));
        assertTrue(handler.handle(batch));
        assertEquals(List.of(List.of(1L), List.of(1L), List.of(2L)), taken,
                "after a revoke nothing is known: at least once");
    }

    @Test
    void eachEndpointTakesItsOwnAppsEventsAndTheDefaultTheRest() throws Exception {
        List<ConsumerRecord<String, byte[]>> batch = List.of(record(0, 1, ""), record(1, 2, "shop"),
                record(2, 3, "quiet"), record(3, 4, "other"), record(4, 5, "shop"));

        assertTrue(handler(AfterSendEndpoint.ofApp("shop", settings(10))).handle(batch));
        assertEquals(List.of(List.of(2L, 5L)), taken, "the shop's endpoint: the shop's events only");
        taken.clear();
        // shop and quiet have settings of their own (quiet's turned off): the default takes neither's events
        assertTrue(handler(AfterSendEndpoint.ofDefault(settings(10), Set.of("shop", "quiet"))).handle(batch));
        assertEquals(List.of(List.of(1L, 4L)), taken, "the default: no app, and apps without their own endpoint");
    }

    private AfterSendHandler handler(int maxEvents) {
        return handler(AfterSendEndpoint.ofDefault(settings(maxEvents), Set.of()));
    }

    private AfterSendHandler handler(AfterSendEndpoint endpoint) {
        return new AfterSendHandler(endpoint, new HookHttp(Clock.systemUTC()), JSON);
    }

    private AfterSendSettings settings(int maxEvents) {
        return new AfterSendSettings(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events"),
                "after-send-handler-secret", EnumSet.allOf(HookEvent.class), Duration.ofSeconds(2), maxEvents,
                Duration.ofMillis(10), Duration.ofMillis(100));
    }

    private static ConsumerRecord<String, byte[]> record(long offset, long msgId) {
        return record(offset, msgId, "");
    }

    private static ConsumerRecord<String, byte[]> record(long offset, long msgId, String appId) {
        Message m = Message.newBuilder().setMsgId(msgId).setConversationId("s_1_2")
                .setConversationType(ConversationType.SINGLE).setSeq(msgId).setSenderUid(1)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("m" + msgId)).build();
        PushTask task = PushTask.newBuilder().setCommand(Command.PUSH.code()).setAppId(appId)
                .setBody(Push.newBuilder().addMessages(m).build().toByteString()).build();
        return new ConsumerRecord<>("magpie.push", 0, offset, "s_1_2", task.toByteArray());
    }
}
