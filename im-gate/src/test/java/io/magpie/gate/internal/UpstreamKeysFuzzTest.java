package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.magpie.protocol.Command;
import io.magpie.protocol.ConversationIds;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.Frame;
import io.magpie.protocol.ProtocolException;
import io.magpie.protocol.proto.ClearRequest;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.PresenceRequest;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.TypingRequest;

/**
 * Coverage-guided fuzzing of the part of a client request body the gate reads before forwarding it
 * (docs/guarantees.md, "Fuzzing"): {@link UpstreamKeys}. For every forwarded command and any body, the
 * answer is a key or a non-fatal BAD_REQUEST {@link ProtocolException}; a SEND is keyed by the
 * conversation derived from the authenticated uid, a named conversation is accepted only in its
 * canonical spelling and, one-to-one, only with the sender as a member, so one conversation never
 * hashes to two partitions and nobody writes into a conversation of others.
 */
class UpstreamKeysFuzzTest {

    private static final Command[] FORWARDED = UpstreamKeys.FORWARDED.toArray(new Command[0]);

    @FuzzTest
    void forwardedFrame(FuzzedDataProvider data) {
        Command command = data.pickValue(FORWARDED);
        long uid = data.consumeLong(1, Long.MAX_VALUE);
        byte[] body = data.consumeBoolean() ? structuredBody(command, uid, data) : data.consumeRemainingAsBytes();

        FuzzContracts.assertAllocationBounded(() -> check(command, uid, body), body.length, "keying " + command);
    }

    private static void check(Command command, long uid, byte[] body) {
        Frame frame = new Frame(command.code(), 1, 0, body);
        UpstreamKeys.Key key;
        try {
            key = UpstreamKeys.of(frame, uid);
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
            assertFalse(e.fatal(), "a bad body is refused, the connection stays");
            return;
        } catch (RuntimeException e) {
            fail("UpstreamKeys threw " + e + " for " + command + " with " + body.length + " body bytes", e);
            return;
        }
        assertFalse(key.partitionKey().isEmpty(), "an empty partition key");
        String conversation = key.conversationId();
        if (conversation.isEmpty()) {
            assertTrue(command != Command.SEND, "a SEND without a conversation");
            assertEquals("u_" + uid, key.partitionKey(), "a request about the user is keyed by the user");
            return;
        }
        assertEquals(conversation, key.partitionKey(), "a conversation's requests share its partition");
        if (command == Command.SEND) {
            SendRequest send = parse(() -> SendRequest.parseFrom(body));
            assertEquals(ConversationIds.of(send.getConversationType(), uid, send.getTargetId()), conversation,
                    "a SEND keyed by another conversation than the sender's");
        } else if (ConversationIds.isGroup(conversation)) {
            long group = ConversationIds.groupIdOf(conversation);
            assertTrue(group > 0, "group id " + group + " accepted");
            assertEquals(ConversationIds.group(group), conversation, "a non-canonical group id accepted");
        } else {
            long peer = ConversationIds.peerOf(conversation, uid);
            assertTrue(peer > 0, "peer " + peer + " accepted");
            assertEquals(ConversationIds.single(uid, peer), conversation, "a non-canonical or foreign id accepted");
        }
    }

    private interface BodyParser<T> {
        T parse() throws Exception;
    }

    private static <T> T parse(BodyParser<T> parser) {
        try {
            return parser.parse();
        } catch (Exception e) {
            throw new AssertionError("a body the gate accepted does not parse", e);
        }
    }

    /** A body of the command's message with fuzzed fields, so the fuzzer explores the id checks. */
    private static byte[] structuredBody(Command command, long uid, FuzzedDataProvider data) {
        String conversation = switch (data.consumeInt(0, 3)) {
            case 0 -> ConversationIds.single(uid, data.consumeLong());
            case 1 -> "s_" + data.consumeLong() + "_" + data.consumeLong();
            case 2 -> "g_" + data.consumeLong();
            default -> data.consumeString(100);
        };
        return switch (command) {
            case SEND -> SendRequest.newBuilder().setClientMsgId(data.consumeString(70))
                    .setConversationTypeValue(data.consumeInt(-1, 3))
                    .setTargetId(data.consumeBoolean() ? uid : data.consumeLong())
                    .build().toByteArray();
            case SYNC -> SyncRequest.newBuilder().setSinceVersion(data.consumeLong()).setLimit(data.consumeInt())
                    .build().toByteArray();
            case PULL -> PullRequest.newBuilder().setConversationId(conversation).setFromSeq(data.consumeLong())
                    .build().toByteArray();
            case READ -> ReadRequest.newBuilder().setConversationId(conversation).build().toByteArray();
            case RECALL, DELETE -> MessageActionRequest.newBuilder().setConversationId(conversation)
                    .setSeq(data.consumeLong()).build().toByteArray();
            case CLEAR -> ClearRequest.newBuilder().setConversationId(conversation).build().toByteArray();
            case TYPING -> TypingRequest.newBuilder().setConversationId(conversation).build().toByteArray();
            case PRESENCE -> PresenceRequest.newBuilder().addQueryUids(data.consumeLong())
                    .setSetWatch(data.consumeBoolean()).addWatchUids(data.consumeLong()).build().toByteArray();
            default -> data.consumeRemainingAsBytes();
        };
    }
}
