package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.proto.MessageRef;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PushAck;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of PUSH_ACK as a logged-in connection's {@link PushAcks} reads it
 * (docs/guarantees.md, "Fuzzing"). With a PUSH waiting for its ack: a body that is not a PushAck is
 * answered with a non-fatal BAD_REQUEST and the connection stays; a readable one is not answered and
 * releases the PUSH exactly when it names every message the PUSH carried; nothing is thrown.
 */
class PushAckFuzzTest {

    private static final String[] CONVERSATIONS = {"s_1_2", "g_7", "s_2_3", ""};

    @FuzzTest
    void pushAckFrame(FuzzedDataProvider data) {
        Set<MessageKey> pushed = new HashSet<>();
        int messages = data.consumeInt(1, 4);
        for (int i = 0; i < messages; i++) {
            pushed.add(new MessageKey(data.pickValue(CONVERSATIONS), data.consumeLong(0, 8)));
        }
        int requestId = data.consumeInt();
        byte[] body = data.consumeBoolean() ? ackOf(data) : data.consumeRemainingAsBytes();
        FuzzContracts.assertAllocationBounded(() -> check(pushed, requestId, body), body.length,
                "a PUSH_ACK of " + body.length + " bytes");
    }

    private static void check(Set<MessageKey> pushed, int requestId, byte[] body) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = new Session(1, 1, "phone-1", Platform.ANDROID, "gate-a", 0, channel);
        PushAcks handler = new PushAcks(session,
                new WaitAckTable.Settings(Duration.ofSeconds(5), 3, 1000, 1 << 20), Clock.systemUTC(),
                new ManualTicker());
        channel.pipeline().addLast(ClientPipeline.SESSION, new SessionHandler(session, handler));
        Frame push = new Frame(Command.PUSH.code(), 9, 0, new byte[] {1, 2, 3});
        channel.writeOutbound(new TrackedPush(push, List.copyOf(pushed)));
        assertEquals(push, channel.readOutbound());

        try {
            channel.writeInbound(new Frame(Command.PUSH_ACK.code(), requestId, 0, body));
        } catch (RuntimeException e) {
            fail("PUSH_ACK with a body of " + body.length + " bytes threw " + e + " out of the pipeline", e);
        }
        Set<MessageKey> acked = readableAck(body);
        if (acked == null) {
            ErrorCode code = FuzzContracts.assertRefusal(channel.readOutbound(), requestId);
            assertEquals(ErrorCode.BAD_REQUEST, code);
            assertEquals(1, handler.table().size(), "an unreadable PUSH_ACK released the PUSH");
        } else {
            assertEquals(acked.containsAll(pushed) ? 0 : 1, handler.table().size(),
                    "acked " + acked + " for a PUSH of " + pushed);
        }
        assertNull(channel.readOutbound(), "at most one answer per PUSH_ACK");
        assertTrue(channel.isOpen(), "a PUSH_ACK never closes the connection");
        channel.finishAndReleaseAll();
    }

    /** The messages a body acknowledges, or null when it is not a PushAck. */
    private static Set<MessageKey> readableAck(byte[] body) {
        try {
            Set<MessageKey> keys = new HashSet<>();
            for (MessageRef ref : PushAck.parseFrom(body).getAckedList()) {
                keys.add(new MessageKey(ref.getConversationId(), ref.getSeq()));
            }
            return keys;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static byte[] ackOf(FuzzedDataProvider data) {
        List<MessageRef> refs = new ArrayList<>();
        int count = data.consumeInt(0, 6);
        for (int i = 0; i < count; i++) {
            refs.add(MessageRef.newBuilder().setConversationId(data.consumeBoolean() ? data.pickValue(CONVERSATIONS)
                    : data.consumeString(20)).setSeq(data.consumeLong(-1, 9)).build());
        }
        return PushAck.newBuilder().addAllAcked(refs).build().toByteArray();
    }
}
