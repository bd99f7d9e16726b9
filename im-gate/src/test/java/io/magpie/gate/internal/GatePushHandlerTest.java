package io.magpie.gate.internal;

import static io.magpie.gate.internal.TestFrames.next;
import static io.magpie.gate.internal.TestFrames.nextError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.magpie.gate.HopLatencies;
import io.magpie.protocol.Command;
import io.magpie.protocol.EpochMicros;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.Frames;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.HopTrace;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatePushHandlerTest {

    private final SessionTable sessions = new SessionTable();
    private final Map<EmbeddedChannel, PushAcks> waitAck = new HashMap<>();
    private final EmbeddedChannel router = new EmbeddedChannel(new GatePushHandler("gate-a", sessions));
    private final EmbeddedChannel alice = client(1, 100);
    private final EmbeddedChannel bob = client(2, 200);

    /** A logged-in client connection reduced to its push-ack stage, which turns a tracked PUSH into its frame. */
    private EmbeddedChannel client(long connectionId, long uid) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = new Session(connectionId, uid, "d" + uid, Platform.WEB, "gate-a", 0, channel);
        PushAcks handler = new PushAcks(session,
                new WaitAckTable.Settings(Duration.ofSeconds(5), 3, 1000, 1 << 20), Clock.systemUTC(), new ManualTicker());
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, handler));
        waitAck.put(channel, handler);
        sessions.add(session, 0);
        return channel;
    }

    private static ConnectionRef ref(long connectionId, long uid) {
        return ConnectionRef.newBuilder().setConnectionId(connectionId).setUid(uid).build();
    }

    @Test
    void pushReachesEveryListedLiveConnectionAndTheAckCountsTheMissingOnes() throws Exception {
        ByteString body = Push.newBuilder()
                .addMessages(Message.newBuilder().setConversationId("s_100_200").setSeq(3).setMsgId(55))
                .build().toByteString();
        GatePush push = GatePush.newBuilder()
                .addAllConnections(List.of(ref(1, 100), ref(2, 999), ref(42, 100), ref(2, 200)))
                .setCommand(Command.PUSH.code())
                .setRequestId(77)
                .setBody(body)
                .build();
        router.writeInbound(Frames.of(Command.GATE_PUSH, 5, push));

        Frame toAlice = next(alice);
        assertEquals(new Frame(Command.PUSH.code(), 77, 0, body.toByteArray()), toAlice);
        Frame toBob = next(bob);
        assertEquals(Command.PUSH.code(), toBob.command());
        assertNull(bob.readOutbound(), "one frame per listing");

        Frame ack = next(router);
        assertEquals(Command.GATE_PUSH_ACK.code(), ack.command());
        assertEquals(5, ack.requestId());
        GatePushAck ackBody = GatePushAck.parseFrom(ack.body());
        assertEquals(2, ackBody.getWritten());
        assertEquals(List.of(2L, 42L), ackBody.getMissingConnectionIdsList(),
                "a connection id whose uid does not match is missing, as is an unknown one");
        assertTrue(alice.isOpen());
        assertEquals(1, waitAck.get(alice).table().unackedMessages(), "the PUSH waits for alice's PUSH_ACK");
        assertEquals(1, waitAck.get(bob).table().unackedMessages());
    }

    @Test
    void aTracedPushIsRecordedInTheHopLatenciesOnceFlushed() {
        HopLatencies hops = new HopLatencies(0);
        EmbeddedChannel tracing = new EmbeddedChannel(new GatePushHandler("gate-a", sessions, hops, Clock.systemUTC()));
        long now = EpochMicros.now(Clock.systemUTC());
        HopTrace trace = HopTrace.newBuilder().setGateReceivedUs(now - 900).setLogicPolledUs(now - 800)
                .setLogicStoredUs(now - 500).setPushProducedUs(now - 490).setRouterPolledUs(now - 200)
                .setRouterSentUs(now - 100).build();
        ByteString body = Push.newBuilder()
                .addMessages(Message.newBuilder().setConversationId("s_100_200").setSeq(4).setMsgId(56))
                .build().toByteString();
        tracing.writeInbound(Frames.of(Command.GATE_PUSH, 7, GatePush.newBuilder().addConnections(ref(2, 200))
                .setCommand(Command.PUSH.code()).setRequestId(79).setBody(body).setTrace(trace).build()));

        assertEquals(Command.PUSH.code(), next(bob).command(), "the frame goes out as without a trace");
        HopLatencies.KindStats push = hops.snapshot(1, false).kinds().stream()
                .filter(k -> k.kind().equals("PUSH")).findFirst().orElseThrow();
        for (HopLatencies.HopStats hop : push.hops()) {
            assertEquals(1, hop.count(), hop.hop() + " recorded once");
        }
        HopLatencies.HopStats total = push.hops().get(push.hops().size() - 1);
        assertEquals(HopLatencies.Hop.TOTAL, total.hop());
        assertTrue(total.maxUs() >= 900, "from the sender's gate on: " + total);
    }

    @Test
    void aPushWhoseBodyIsNotAPushIsWrittenUntracked() {
        byte[] garbage = {(byte) 0xFF, 0x01};
        router.writeInbound(Frames.of(Command.GATE_PUSH, 5, GatePush.newBuilder().addConnections(ref(1, 100))
                .setCommand(Command.PUSH.code()).setRequestId(78).setBody(ByteString.copyFrom(garbage)).build()));

        assertEquals(new Frame(Command.PUSH.code(), 78, 0, garbage), next(alice));
        assertEquals(0, waitAck.get(alice).table().size());
    }

    @Test
    void kickIsWrittenAndThenClosesThatConnection() throws Exception {
        Kick kick = Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).build();
        router.writeInbound(Frames.of(Command.GATE_PUSH, 6, GatePush.newBuilder().addConnections(ref(1, 100))
                .setCommand(Command.KICK.code()).setBody(kick.toByteString()).build()));

        Frame toAlice = next(alice);
        assertEquals(Command.KICK.code(), toAlice.command());
        assertEquals(KickReason.DUPLICATE_DEVICE, Kick.parseFrom(toAlice.body()).getReason());
        assertFalse(alice.isOpen());
        assertTrue(bob.isOpen());
        assertEquals(0, waitAck.get(bob).table().size(), "a KICK is not waited for");
        assertEquals(1, GatePushAck.parseFrom(next(router).body()).getWritten());
    }

    @Test
    void aReadBurstOfGatePushesReachesEachConnectionInOrderWithOneFlush() throws Exception {
        AtomicInteger aliceFlushes = countFlushes(alice);
        AtomicInteger bobFlushes = countFlushes(bob);
        Frame first = Frames.of(Command.GATE_PUSH, 10, push(11, "g_9", 1, ref(1, 100), ref(2, 200)));
        Frame second = Frames.of(Command.GATE_PUSH, 11, push(12, "g_9", 2, ref(1, 100), ref(2, 200)));
        Frame kickAlice = Frames.of(Command.GATE_PUSH, 12, GatePush.newBuilder().addConnections(ref(1, 100))
                .setCommand(Command.KICK.code())
                .setBody(Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).build().toByteString()).build());
        router.writeInbound(first, second, kickAlice); // one read burst: one channelReadComplete after the three

        assertEquals(11, next(bob).requestId());
        assertEquals(12, next(bob).requestId(), "in the order the GATE_PUSHes came");
        assertEquals(1, bobFlushes.get(), "the burst's frames to a connection go out in one flush");
        assertEquals(2, waitAck.get(bob).table().unackedMessages());
        assertEquals(11, next(alice).requestId());
        assertEquals(12, next(alice).requestId());
        assertEquals(Command.KICK.code(), next(alice).command(), "a KICK after the PUSHes before it");
        assertFalse(alice.isOpen());
        assertEquals(1, aliceFlushes.get());
        for (int request = 10; request <= 12; request++) {
            Frame ack = next(router);
            assertEquals(request, ack.requestId());
            assertTrue(GatePushAck.parseFrom(ack.body()).getWritten() > 0);
        }
    }

    @Test
    void aConnectionWhoseUnflushedFramesPassItsHighWaterMarkIsFlushedWithinTheBurst() {
        bob.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2)); // every queued frame passes it
        AtomicInteger bobFlushes = countFlushes(bob);
        router.writeInbound(Frames.of(Command.GATE_PUSH, 20, push(21, "g_9", 1, ref(2, 200))),
                Frames.of(Command.GATE_PUSH, 21, push(22, "g_9", 2, ref(2, 200))),
                Frames.of(Command.GATE_PUSH, 22, push(23, "g_9", 3, ref(2, 200))));

        assertEquals(3, bobFlushes.get(), "unflushed bytes count toward the slow-reader bound: not held back");
        for (int request = 21; request <= 23; request++) {
            assertEquals(request, next(bob).requestId());
        }
    }

    private static GatePush push(int requestId, String conversation, long seq, ConnectionRef... to) {
        ByteString body = Push.newBuilder()
                .addMessages(Message.newBuilder().setConversationId(conversation).setSeq(seq).setMsgId(100 + seq))
                .build().toByteString();
        return GatePush.newBuilder().addAllConnections(List.of(to)).setCommand(Command.PUSH.code())
                .setRequestId(requestId).setBody(body).build();
    }

    private static AtomicInteger countFlushes(EmbeddedChannel channel) {
        AtomicInteger flushes = new AtomicInteger();
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        return flushes;
    }

    @Test
    void internalCommandsAreNeverWrittenToClients() {
        router.writeInbound(Frames.of(Command.GATE_PUSH, 7, GatePush.newBuilder().addConnections(ref(1, 100))
                .setCommand(Command.GATE_PUSH.code()).build()));
        nextError(router, ErrorCode.BAD_REQUEST, 7);
        assertNull(alice.readOutbound());
        assertTrue(router.isOpen());
    }

    @Test
    void otherCommandsOnTheInternalPortGetUnknownCommand() {
        router.writeInbound(new Frame(Command.SEND.code(), 8, 0, new byte[0]));
        nextError(router, ErrorCode.UNKNOWN_COMMAND, 8);
        router.writeInbound(new Frame(Command.GATE_PUSH.code(), 9, 0, new byte[] {(byte) 0xFF}));
        nextError(router, ErrorCode.BAD_REQUEST, 9);
        assertTrue(router.isOpen());
    }
}
