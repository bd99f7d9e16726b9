package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.logic.internal.UpstreamParser.Query;
import io.magpie.logic.internal.UpstreamParser.Refused;
import io.magpie.logic.internal.UpstreamParser.Send;
import io.magpie.logic.internal.UpstreamParser.Unanswerable;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.MessageActionRequest;
import io.magpie.protocol.proto.PullRequest;
import io.magpie.protocol.proto.ReadRequest;
import io.magpie.protocol.proto.SyncRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import org.junit.jupiter.api.Test;

class UpstreamParserTest {

    private final UpstreamParser parser = new UpstreamParser();

    @Test
    void garbageOrAnEnvelopeWithoutIdentityCannotBeAnswered() {
        assertInstanceOf(Unanswerable.class, parser.parse(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        UpstreamEnvelope noUid = Sends.envelope(7, 3, 11, Sends.text("c1", 42, "x")).toBuilder().setUid(0).build();
        assertInstanceOf(Unanswerable.class, parser.parse(noUid.toByteArray()));
    }

    @Test
    void anAdminOpNeedsNoUserIdentityAndCarriesTheOperatorsCommand() {
        io.magpie.protocol.proto.AdminCommand command = io.magpie.protocol.proto.AdminCommand.newBuilder()
                .setOpId("admin-1").setDeleteMessage(io.magpie.protocol.proto.AdminDeleteMessage.newBuilder()
                        .setConversationId("s_7_9").setSeq(3)).build();
        UpstreamEnvelope env = UpstreamEnvelope.newBuilder().setGateId(GroupCommand.ADMIN_SOURCE)
                .setCommand(Command.ADMIN_OP.code()).setBody(command.toByteString()).build();

        UpstreamParser.Admin admin = assertInstanceOf(UpstreamParser.Admin.class, parser.parse(env.toByteArray()));

        assertEquals(command, admin.command());
        assertInstanceOf(Unanswerable.class, parser.parse(env.toBuilder().setBody(com.google.protobuf.ByteString
                .copyFrom(new byte[] {(byte) 0xff, 0x01})).build().toByteArray()));
    }

    @Test
    void aSendGoesToTheWritePath() {
        Send s = assertInstanceOf(Send.class, parser.parse(Sends.envelope(7, 3, 11, Sends.text("c1", 42, "x"))
                .toByteArray()));
        assertEquals("s_7_42", s.command().conversationId());
    }

    @Test
    void syncAndPullGoToTheReadPathWithLimitsClamped() {
        Query sync = assertInstanceOf(Query.class, parser.parse(envelope(Command.SYNC,
                SyncRequest.newBuilder().setSinceVersion(77).setLimit(5000).build().toByteArray())));
        assertEquals(new QueryCommand.Sync(sync.query().envelope(), 77, QueryParser.MAX_LIMIT), sync.query());

        Query pull = assertInstanceOf(Query.class, parser.parse(envelope(Command.PULL,
                PullRequest.newBuilder().setConversationId("s_7_9").setFromSeq(3).build().toByteArray())));
        assertEquals(new QueryCommand.Pull(pull.query().envelope(), "s_7_9", 3, Long.MAX_VALUE,
                QueryParser.DEFAULT_LIMIT, false), pull.query());
    }

    @Test
    void badQueriesAreRefusedAndOtherCommandsAreNotSupported() {
        assertRefused(envelope(Command.SYNC, new byte[] {(byte) 0xff, 0x01}), ErrorCode.BAD_REQUEST,
                "not a valid SyncRequest");
        assertRefused(envelope(Command.PULL, PullRequest.newBuilder().setConversationId("s_7_9").setFromSeq(5)
                .setToSeq(2).build().toByteArray()), ErrorCode.BAD_REQUEST, "to_seq 2 is below from_seq 5");
        assertRefused(envelope(Command.PULL, PullRequest.newBuilder().build().toByteArray()), ErrorCode.BAD_REQUEST,
                "conversation_id must be 1-64");
        assertRefused(envelope(Command.PUSH_ACK, new byte[0]), ErrorCode.NOT_SUPPORTED, "PUSH_ACK");
    }

    @Test
    void readsAndRecallsAreParsedAndBadOnesRefused() {
        UpstreamParser.Action read = assertInstanceOf(UpstreamParser.Action.class, parser.parse(envelope(Command.READ,
                ReadRequest.newBuilder().setConversationId("s_7_9").setReadSeq(4).build().toByteArray())));
        assertEquals(4, ((ActionCommand.Read) read.action()).readSeq());
        UpstreamParser.Action recall = assertInstanceOf(UpstreamParser.Action.class, parser.parse(envelope(
                Command.RECALL, MessageActionRequest.newBuilder().setConversationId("g_5").setSeq(2).build()
                        .toByteArray())));
        assertEquals(2, ((ActionCommand.Recall) recall.action()).seq());
        assertRefused(envelope(Command.RECALL, new byte[] {(byte) 0xff, 0x01}), ErrorCode.BAD_REQUEST,
                "not a valid MessageActionRequest");
        assertRefused(envelope(Command.READ, ReadRequest.newBuilder().setConversationId("s_8_9").setReadSeq(1).build()
                .toByteArray()), ErrorCode.BAD_REQUEST, "not a conversation of uid 7");
        assertRefused(envelope(Command.READ, ReadRequest.newBuilder().setConversationId("x_1").setReadSeq(1).build()
                .toByteArray()), ErrorCode.BAD_REQUEST, "is not s_<uid>_<uid>");
        assertRefused(envelope(Command.READ, ReadRequest.newBuilder().setConversationId("s_7_9").build()
                .toByteArray()), ErrorCode.BAD_REQUEST, "read_seq must be a message seq");
    }

    private static byte[] envelope(Command command, byte[] body) {
        return Sends.envelope(7, 3, 11, command.code(), body).toByteArray();
    }

    private void assertRefused(byte[] value, ErrorCode code, String messagePart) {
        Refused r = assertInstanceOf(Refused.class, parser.parse(value));
        assertEquals(code, r.rejection().code());
        assertTrue(r.rejection().message().contains(messagePart), r.rejection().message());
    }
}
