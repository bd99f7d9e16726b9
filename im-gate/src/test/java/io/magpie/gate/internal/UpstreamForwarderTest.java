package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Ping;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class UpstreamForwarderTest {

    private static final long NOW = 1_750_000_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private final RecordingPublishers.Upstream publisher = new RecordingPublishers.Upstream();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Session session = new Session(5, 7, "phone-1", Platform.IOS, "gate-a", NOW - 10, channel);

    UpstreamForwarderTest() {
        channel.pipeline().addLast(new SessionHandler(session, new UpstreamForwarder(publisher, clock, 4)));
    }

    @Test
    void sendIsWrappedUntouchedWithTheSessionIdentityAndKeyedByConversation() throws IOException {
        SendRequest send = SendRequest.newBuilder()
                .setClientMsgId("c-1")
                .setConversationType(ConversationType.SINGLE)
                .setTargetId(42)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT).setText("hi"))
                .build();
        // A field this gate does not know, claiming another sender: it must pass through untouched
        // and never change who the envelope says is sending.
        byte[] body = withUnknownField(send.toByteArray(), 99, 1234);
        channel.writeInbound(new Frame(Command.SEND.code(), 31, 0, body));

        assertEquals(1, publisher.published.size());
        assertEquals("s_7_42", publisher.published.get(0).getKey());
        UpstreamEnvelope envelope = publisher.published.get(0).getValue();
        assertEquals(7, envelope.getUid(), "the session's uid, never the client's");
        assertEquals("phone-1", envelope.getDeviceId());
        assertEquals(Platform.IOS, envelope.getPlatform());
        assertEquals("gate-a", envelope.getGateId());
        assertEquals(5, envelope.getConnectionId());
        assertEquals(Command.SEND.code(), envelope.getCommand());
        assertEquals(31, envelope.getRequestId());
        assertEquals(NOW, envelope.getReceivedAt());
        assertEquals("s_7_42", envelope.getConversationId());
        assertArrayEquals(body, envelope.getBody().toByteArray(), "body forwarded byte for byte");
        assertNull(channel.readOutbound(), "no reply from the gate: SEND_ACK comes from logic");
    }

    @Test
    void groupSendIsKeyedByTheGroupConversation() {
        channel.writeInbound(Frames.of(Command.SEND, 1, SendRequest.newBuilder()
                .setClientMsgId("c-2").setConversationType(ConversationType.GROUP).setTargetId(900).build()));
        assertEquals("g_900", publisher.published.get(0).getKey());
    }

    @Test
    void garbageBodyGetsBadRequestAndTheConnectionStaysOpen() {
        channel.writeInbound(new Frame(Command.SEND.code(), 8, 0, new byte[] {(byte) 0xFF, 0x01, 0x02}));

        nextError(channel, ErrorCode.BAD_REQUEST, 8);
        assertTrue(channel.isOpen());
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    void sendWithoutAValidTargetGetsBadRequest() {
        channel.writeInbound(Frames.of(Command.SEND, 9, SendRequest.newBuilder()
                .setConversationType(ConversationType.SINGLE).setTargetId(0).build()));
        nextError(channel, ErrorCode.BAD_REQUEST, 9);
        channel.writeInbound(Frames.of(Command.SEND, 10, SendRequest.newBuilder().setTargetId(42).build()));
        nextError(channel, ErrorCode.BAD_REQUEST, 10);
        assertTrue(channel.isOpen());
        assertTrue(publisher.published.isEmpty());
    }

    @Test
    void busFailureGetsRetryableServerBusyForThatRequest() {
        publisher.failWith = new IllegalStateException("broker unreachable");
        channel.writeInbound(Frames.of(Command.SEND, 12, SendRequest.newBuilder()
                .setConversationType(ConversationType.SINGLE).setTargetId(42).build()));

        var error = nextError(channel, ErrorCode.SERVER_BUSY, 12);
        assertTrue(error.getRetryable());
        assertEquals(Command.SEND.code(), error.getCommand());
        assertTrue(channel.isOpen());
    }

    @Test
    void laterCommandsAreKeyedByTheirConversationOrByTheUser() {
        channel.writeInbound(Frames.of(Command.PULL, 1, PullRequest.newBuilder().setConversationId("g_5").build()));
        channel.writeInbound(Frames.of(Command.PULL, 2, PullRequest.newBuilder().setConversationId("s_3_7").build()));
        channel.writeInbound(Frames.of(Command.SYNC, 3, SyncRequest.newBuilder().setSinceVersion(10).build()));

        assertEquals("g_5", publisher.published.get(0).getKey());
        assertEquals("s_3_7", publisher.published.get(1).getKey());
        assertEquals("u_7", publisher.published.get(2).getKey());
        assertEquals("", publisher.published.get(2).getValue().getConversationId());
        assertEquals(Command.SYNC.code(), publisher.published.get(2).getValue().getCommand());
    }

    @Test
    void conversationOfOtherUsersOrMalformedGetsBadRequest() {
        for (String id : new String[] {"s_1_2", "s_7_3", "x_1", "g_abc", "s_7"}) {
            channel.writeInbound(Frames.of(Command.PULL, 4, PullRequest.newBuilder().setConversationId(id).build()));
            nextError(channel, ErrorCode.BAD_REQUEST, 4);
        }
        assertTrue(publisher.published.isEmpty());
        assertTrue(channel.isOpen());
    }

    @Test
    void otherCommandsPassOn() {
        Frame ping = Frames.of(Command.PING, 1, Ping.getDefaultInstance());
        channel.writeInbound(ping);
        assertSame(ping, channel.readInbound());
        assertTrue(publisher.published.isEmpty());
    }

    private static byte[] withUnknownField(byte[] message, int field, long value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(message);
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeInt64(field, value);
        coded.flush();
        return out.toByteArray();
    }

    @Test
    void aConnectionWithTooManyRequestsOnTheirWayToTheBusIsNoLongerReadAndResumesWhenHalfAreThrough() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        EmbeddedChannel slowBus = new EmbeddedChannel();
        Session owner = new Session(6, 8, "tablet", Platform.IOS, "gate-a", NOW, slowBus);
        UpstreamForwarder handler = new UpstreamForwarder((key, envelope) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, clock, 4);
        slowBus.pipeline().addLast(new SessionHandler(owner, handler));

        for (int i = 1; i <= 4; i++) {
            slowBus.writeInbound(send(i));
        }
        assertEquals(4, handler.inflight());
        assertFalse(slowBus.config().isAutoRead(), "reading stops at gate.limits.max-inflight-requests");
        slowBus.writeInbound(send(5)); // already read in the same burst
        var busy = nextError(slowBus, ErrorCode.SERVER_BUSY, 5);
        assertTrue(busy.getRetryable());
        assertTrue(busy.getRetryAfterMs() > 0, "the client is told when to resend");
        assertEquals(4, pending.size(), "the request beyond the bound was not queued");

        pending.get(0).complete(null);
        slowBus.runPendingTasks();
        assertFalse(slowBus.config().isAutoRead(), "3 still in flight");
        pending.get(1).complete(null);
        slowBus.runPendingTasks();
        assertTrue(slowBus.config().isAutoRead(), "resumed once half are through");
        assertTrue(slowBus.isOpen());
    }

    @Test
    void aBusBacklogIsAnsweredWithServerBusyAndARetryAfter() {
        publisher.failWith = new KafkaSend.Backlogged("the bus is slow");
        channel.writeInbound(send(21));
        var busy = nextError(channel, ErrorCode.SERVER_BUSY, 21);
        assertEquals(UpstreamForwarder.BUSY_RETRY_AFTER_MILLIS, busy.getRetryAfterMs());
        assertTrue(channel.isOpen());
    }

    private static Frame send(int requestId) {
        return Frames.of(Command.SEND, requestId, SendRequest.newBuilder().setClientMsgId("c-" + requestId)
                .setConversationType(ConversationType.SINGLE).setTargetId(42).build());
    }
}
