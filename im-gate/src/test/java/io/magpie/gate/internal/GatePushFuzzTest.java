package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.ConnectionRef;
import io.magpie.protocol.proto.GatePush;
import io.magpie.protocol.proto.GatePushAck;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.Push;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the internal GATE_PUSH body as the gate's {@link GatePushHandler} reads
 * it (docs/guarantees.md, "Fuzzing"), with two logged-in connections on the gate. Whatever the frame,
 * the router gets exactly one answer: GATE_PUSH_ACK accounting for every listed connection (written or
 * missing), or an ERROR refusing it; a client only ever receives a client command, once per listing of
 * its connection with its own uid; nothing is thrown and the router connection stays open.
 */
class GatePushFuzzTest {

    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.BAD_REQUEST, ErrorCode.UNKNOWN_COMMAND);
    private static final int[] COMMANDS = {Command.PUSH.code(), Command.KICK.code(), Command.SEND_ACK.code(),
            Command.GATE_PUSH.code(), Command.GATE_PUSH_ACK.code(), 0, 0xFFFF};

    private final SessionTable sessions = new SessionTable();
    private final EmbeddedChannel router = new EmbeddedChannel(new GatePushHandler("gate-a", sessions));

    @FuzzTest
    void gatePushFrame(FuzzedDataProvider data) {
        int command = data.consumeInt(0, 9) == 0 ? data.consumeInt(0, 0xFFFF) : Command.GATE_PUSH.code();
        int requestId = data.consumeInt();
        byte[] body = data.consumeBoolean() ? gatePush(data) : data.consumeRemainingAsBytes();
        FuzzContracts.assertAllocationBounded(() -> check(command, requestId, body), body.length,
                "a GATE_PUSH of " + body.length + " bytes");
    }

    private void check(int command, int requestId, byte[] body) {
        EmbeddedChannel alice = client(1, 100);
        EmbeddedChannel bob = client(2, 200);
        try {
            router.writeInbound(new Frame(command, requestId, 0, body));
        } catch (RuntimeException e) {
            fail("a frame of command " + command + " with " + body.length + " body bytes threw " + e, e);
        }
        Object answer = router.readOutbound();
        GatePush push = readable(body);
        if (answer instanceof Frame ack && ack.is(Command.GATE_PUSH_ACK)) {
            assertEquals(Command.GATE_PUSH.code(), command, "only GATE_PUSH is acknowledged");
            assertEquals(requestId, ack.requestId());
            GatePushAck ackBody = parse(ack.body());
            assertTrue(push != null, "an unreadable GATE_PUSH was acknowledged");
            assertEquals(push.getConnectionsCount(), ackBody.getWritten() + ackBody.getMissingConnectionIdsCount(),
                    "every listed connection is written or reported missing");
            assertDelivered(alice, 1, 100, push);
            assertDelivered(bob, 2, 200, push);
        } else {
            assertTrue(REFUSALS.contains(FuzzContracts.assertRefusal(answer, requestId)));
            assertNull(alice.readOutbound(), "a refused GATE_PUSH reached a client");
            assertNull(bob.readOutbound(), "a refused GATE_PUSH reached a client");
        }
        assertNull(router.readOutbound(), "one answer per frame");
        assertTrue(router.isOpen(), "the router connection stays open");
        for (EmbeddedChannel client : List.of(alice, bob)) {
            client.finishAndReleaseAll();
            sessions.remove(sessions.byConnection(client == alice ? 1 : 2));
        }
    }

    /** A logged-in connection reduced to its push-ack stage, as in GatePushHandlerTest. */
    private EmbeddedChannel client(long connectionId, long uid) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = new Session(connectionId, uid, "d" + uid, Platform.WEB, "gate-a", 0, channel);
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, new PushAcks(session,
                new WaitAckTable.Settings(Duration.ofSeconds(5), 3, 1000, 1 << 20), Clock.systemUTC(),
                new ManualTicker())));
        sessions.add(session, 0);
        return channel;
    }

    /** A client gets one client frame per listing of (its connection, its uid), and nothing else. */
    private static void assertDelivered(EmbeddedChannel client, long connectionId, long uid, GatePush push) {
        long listings = push.getConnectionsList().stream()
                .filter(ref -> ref.getConnectionId() == connectionId && ref.getUid() == uid).count();
        boolean kick = push.getCommand() == Command.KICK.code();
        long expected = kick ? Math.min(1, listings) : listings;
        for (long i = 0; i < expected; i++) {
            Object out = client.readOutbound();
            assertTrue(out instanceof Frame, "expected a frame for the client, got " + out);
            Frame frame = (Frame) out;
            assertEquals(push.getCommand(), frame.command());
            assertFalse(Command.fromCode(frame.command()).map(Command::internal).orElse(true),
                    "a client received command " + frame.command());
        }
        if (!kick) {
            assertNull(client.readOutbound(), "a client received a push not addressed to it");
        }
    }

    private static GatePush readable(byte[] body) {
        try {
            return GatePush.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static GatePushAck parse(byte[] body) {
        try {
            return GatePushAck.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("GATE_PUSH_ACK body unreadable", e);
        }
    }

    private static byte[] gatePush(FuzzedDataProvider data) {
        GatePush.Builder push = GatePush.newBuilder()
                .setCommand(data.consumeBoolean() ? data.pickValue(COMMANDS) : data.consumeInt())
                .setRequestId(data.consumeInt());
        int listed = data.consumeInt(0, 5);
        for (int i = 0; i < listed; i++) {
            push.addConnections(ConnectionRef.newBuilder().setConnectionId(data.consumeLong(0, 3))
                    .setUid(data.pickValue(new long[] {100, 200, 0, -1})));
        }
        if (data.consumeBoolean()) {
            Push.Builder body = Push.newBuilder();
            int messages = data.consumeInt(0, 3);
            for (int i = 0; i < messages; i++) {
                body.addMessages(Message.newBuilder().setConversationId(data.consumeString(12))
                        .setSeq(data.consumeLong()));
            }
            push.setBody(body.build().toByteString());
        } else {
            push.setBody(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 256))));
        }
        return push.build().toByteArray();
    }
}
