package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of what logic parses from an {@code upstream} record (docs/guarantees.md,
 * "Fuzzing"): {@link UpstreamParser} with {@link SendRequestParser} and {@link QueryParser} behind it,
 * and {@link ConversationRef} for the conversation a PULL names. Whatever the record holds, parsing
 * never throws (a throw would fail the whole polled batch); what it accepts satisfies every check the
 * write and read paths rely on (the conversation derived from the gate's uid, ids and limits in range);
 * a refusal names its reason; and the memory spent stays proportional to the record's size.
 */
class UpstreamParserFuzzTest {

    private static final long BASE_BYTES = 16L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final UpstreamParser parser = new UpstreamParser();

    @FuzzTest
    void upstreamRecord(FuzzedDataProvider data) {
        byte[] value = data.consumeBoolean() ? envelope(data).toByteArray() : data.consumeRemainingAsBytes();

        long before = THREADS.getCurrentThreadAllocatedBytes();
        UpstreamParser.Parsed parsed = parse(value);
        if (THREADS.getCurrentThreadAllocatedBytes() - before > BASE_BYTES + 64L * value.length) {
            // Once more before failing: a first run of a new path loads (and the fuzzer instruments) classes.
            before = THREADS.getCurrentThreadAllocatedBytes();
            parsed = parse(value);
            long spent = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(spent <= BASE_BYTES + 64L * value.length, "parsing a record of " + value.length
                    + " bytes allocated " + spent + " bytes: something was sized from a claim, not from the data");
        }

        if (parsed instanceof UpstreamParser.Send send) {
            checkSend(send.command());
        } else if (parsed instanceof UpstreamParser.Query query) {
            checkQuery(query.query());
        } else if (parsed instanceof UpstreamParser.Refused refused) {
            assertNotNull(refused.rejection().envelope(), "a refusal must know whom to answer");
            assertNotNull(refused.rejection().code());
            assertFalse(refused.rejection().message().isBlank(), "a refusal must say why");
        } else if (parsed instanceof UpstreamParser.Unanswerable unanswerable) {
            assertFalse(unanswerable.reason().isBlank(), "an unanswerable record must say why");
        }
    }

    private UpstreamParser.Parsed parse(byte[] value) {
        try {
            UpstreamParser.Parsed parsed = parser.parse(value);
            assertNotNull(parsed, "parse returned null");
            return parsed;
        } catch (RuntimeException e) {
            fail("UpstreamParser threw " + e + " for a record of " + value.length + " bytes; it must answer"
                    + " every record with a parse result", e);
            return null;
        }
    }

    private static void checkSend(SendCommand send) {
        UpstreamEnvelope env = send.envelope();
        assertTrue(env.getUid() > 0, "a SEND without an authenticated uid was accepted");
        assertEquals(Command.SEND.code(), env.getCommand());
        int idLength = send.clientMsgId().length();
        assertTrue(idLength >= 1 && idLength <= SendRequestParser.MAX_CLIENT_MSG_ID_CHARS,
                "client msg id of " + idLength + " characters accepted");
        assertTrue(send.type() == ConversationType.SINGLE || send.type() == ConversationType.GROUP);
        assertTrue(send.targetId() > 0, "target id " + send.targetId() + " accepted");
        if (!send.isGroup()) {
            assertTrue(send.targetId() != env.getUid(), "a one-to-one SEND to oneself was accepted");
        }
        assertEquals(ConversationIds.of(send.type(), env.getUid(), send.targetId()), send.conversationId(),
                "the conversation is not the one derived from the gate's uid");
        assertTrue(env.getConversationId().isEmpty() || env.getConversationId().equals(send.conversationId()),
                "a SEND routed as another conversation was accepted");
        MessageType type = send.request().getContent().getType();
        assertTrue(type != MessageType.MESSAGE_TYPE_UNSPECIFIED && type != MessageType.UNRECOGNIZED,
                "content type " + type + " accepted");
    }

    private static void checkQuery(QueryCommand query) {
        assertTrue(query.uid() > 0, "a query without an authenticated uid was accepted");
        if (query instanceof QueryCommand.Sync sync) {
            assertTrue(sync.sinceVersion() >= 0, "since_version " + sync.sinceVersion() + " accepted");
            assertTrue(sync.limit() >= 1 && sync.limit() <= QueryParser.MAX_LIMIT, "limit " + sync.limit());
        } else if (query instanceof QueryCommand.Pull pull) {
            assertTrue(pull.fromSeq() >= 1, "from_seq " + pull.fromSeq());
            assertTrue(pull.toSeq() >= pull.fromSeq(), "to_seq below from_seq accepted");
            assertTrue(pull.limit() >= 1 && pull.limit() <= QueryParser.MAX_LIMIT, "limit " + pull.limit());
            int length = pull.conversationId().length();
            assertTrue(length >= 1 && length <= QueryParser.MAX_CONVERSATION_ID_CHARS, length + " characters");
            checkConversationRef(pull.conversationId());
        }
    }

    /** What PullHandler does next with the id: it is one the server issues, or it is refused. */
    private static void checkConversationRef(String id) {
        Optional<ConversationRef> ref;
        try {
            ref = ConversationRef.parse(id);
        } catch (RuntimeException e) {
            fail("ConversationRef.parse threw " + e + " for '" + id + "'", e);
            return;
        }
        if (ref.isEmpty()) {
            return;
        }
        assertSame(id, ref.get().id());
        if (ref.get() instanceof ConversationRef.Single single) {
            assertTrue(single.lowUid() > 0 && single.highUid() > single.lowUid(), "accepted " + id);
            assertEquals(ConversationIds.single(single.lowUid(), single.highUid()), id, "accepted a non-canonical id");
        } else if (ref.get() instanceof ConversationRef.Group group) {
            assertTrue(group.groupId() > 0, "accepted " + id);
            assertEquals(ConversationIds.group(group.groupId()), id, "accepted a non-canonical id");
        }
    }

    /** An envelope as a gate writes it, around a fuzzed body, so the fuzzer reaches the body parsers. */
    private static UpstreamEnvelope envelope(FuzzedDataProvider data) {
        int command = switch (data.consumeInt(0, 4)) {
            case 0 -> Command.SYNC.code();
            case 1 -> Command.PULL.code();
            case 2 -> data.consumeInt();
            default -> Command.SEND.code();
        };
        long uid = data.consumeBoolean() ? data.consumeLong(1, 1_000_000) : data.consumeLong();
        UpstreamEnvelope.Builder env = UpstreamEnvelope.newBuilder()
                .setGateId(data.consumeBoolean() ? "gate-a" : data.consumeString(8))
                .setConnectionId(data.consumeLong())
                .setUid(uid)
                .setDeviceId(data.consumeString(16))
                .setCommand(command)
                .setRequestId(data.consumeInt())
                .setReceivedAt(data.consumeLong());
        if (data.consumeBoolean()) {
            env.setConversationId(data.consumeString(80));
        }
        env.setBody(data.consumeBoolean() ? body(command, uid, data)
                : ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 512))));
        return env.build();
    }

    private static ByteString body(int command, long uid, FuzzedDataProvider data) {
        if (command == Command.SYNC.code()) {
            return SyncRequest.newBuilder().setSinceVersion(data.consumeLong()).setLimit(data.consumeInt())
                    .build().toByteString();
        }
        if (command == Command.PULL.code()) {
            String conversation = switch (data.consumeInt(0, 2)) {
                case 0 -> ConversationIds.single(uid, data.consumeLong());
                case 1 -> "g_" + data.consumeLong();
                default -> data.consumeString(80);
            };
            return PullRequest.newBuilder().setConversationId(conversation).setFromSeq(data.consumeLong())
                    .setToSeq(data.consumeLong()).setLimit(data.consumeInt()).build().toByteString();
        }
        SendRequest.Builder send = SendRequest.newBuilder()
                .setClientMsgId(data.consumeString(80))
                .setConversationTypeValue(data.consumeInt(-1, 3))
                .setTargetId(data.consumeBoolean() ? data.consumeLong(-2, 1_000_000) : data.consumeLong());
        if (data.consumeBoolean()) {
            send.setContent(MessageContent.newBuilder().setTypeValue(data.consumeInt(-1, 9))
                    .setText(data.consumeString(64)));
        }
        return send.build().toByteString();
    }
}
