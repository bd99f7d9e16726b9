package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.logic.internal.SendRequestParser.Accepted;
import io.magpie.logic.internal.SendRequestParser.Refused;
import io.magpie.protocol.Command;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.SendRequest;
import io.magpie.protocol.proto.UpstreamEnvelope;
import org.junit.jupiter.api.Test;

class SendRequestParserTest {

    private final SendRequestParser parser = new SendRequestParser();

    @Test
    void aValidSendBecomesACommandOfTheAuthenticatedSender() {
        SendRequest req = Sends.text("c1", 42, "hello");
        // the gate's envelope says uid 7; the conversation is derived from it, not from the client
        UpstreamEnvelope env = Sends.envelope(7, 3, 11, req).toBuilder().setConversationId("s_7_42").build();

        Accepted a = assertInstanceOf(Accepted.class, parser.parse(env));

        assertEquals(7, a.command().senderUid());
        assertEquals("s_7_42", a.command().conversationId());
        assertEquals(42, a.command().peerUid());
        assertEquals("c1", a.command().clientMsgId());
    }

    @Test
    void aSendRoutedUnderAnotherConversationIsRefusedToKeepOneWriterPerConversation() {
        SendRequest req = Sends.text("c1", 42, "hello");
        UpstreamEnvelope env = Sends.envelope(7, 3, 11, req).toBuilder().setConversationId("s_1_2").build();

        assertRefused(env, ErrorCode.INTERNAL, "belongs to 's_7_42'");
    }

    @Test
    void aBodyThatIsNotASendRequestIsRefusedAsBadRequest() {
        UpstreamEnvelope env = Sends.envelope(7, 3, 11, Command.SEND.code(), new byte[] {(byte) 0xff, 0x01});
        assertRefused(env, ErrorCode.BAD_REQUEST, "not a valid SendRequest");
    }

    @Test
    void missingOrOverlongClientMessageIdIsRefused() {
        assertRefused(Sends.envelope(7, 3, 11, Sends.text("", 42, "x")), ErrorCode.BAD_REQUEST, "client_msg_id");
        assertRefused(Sends.envelope(7, 3, 11, Sends.text("x".repeat(65), 42, "x")), ErrorCode.BAD_REQUEST,
                "client_msg_id must be 1-64 Unicode code points, got 65");
    }

    @Test
    void aClientMessageIdEndingInASpaceIsRefusedBecauseTheColumnWouldMatchItWithoutTheSpace() {
        assertRefused(Sends.envelope(7, 3, 11, Sends.text("c-1 ", 42, "x")), ErrorCode.BAD_REQUEST,
                "client_msg_id must not end with a space (U+0020), got 'c-1 '");
        assertInstanceOf(Accepted.class, parser.parse(Sends.envelope(7, 3, 11, Sends.text(" c-1", 42, "x"))),
                "a leading space is compared as it is");
    }

    @Test
    void clientMessageIdsAreCountedInCodePointsTheUnitOfTheColumn() {
        String emoji = "\uD83D\uDC4B"; // U+1F44B: one code point, two Java chars, four UTF-8 bytes
        Accepted a = assertInstanceOf(Accepted.class,
                parser.parse(Sends.envelope(7, 3, 11, Sends.text(emoji.repeat(64), 42, "x"))));
        assertEquals(64, a.command().clientMsgId().codePointCount(0, a.command().clientMsgId().length()));
        assertRefused(Sends.envelope(7, 3, 11, Sends.text(emoji.repeat(65), 42, "x")), ErrorCode.BAD_REQUEST,
                "client_msg_id must be 1-64 Unicode code points, got 65");
    }

    @Test
    void aGroupSendBecomesACommandOfTheGroupConversation() {
        SendRequest req = Sends.groupText("c1", 42, "x");
        UpstreamEnvelope env = Sends.envelope(7, 3, 11, req).toBuilder().setConversationId("g_42").build();

        Accepted a = assertInstanceOf(Accepted.class, parser.parse(env));

        assertEquals("g_42", a.command().conversationId());
        assertEquals(42, a.command().groupId());
        assertTrue(a.command().isGroup());
        // a group's id may equal the sender's uid: only one-to-one refuses "the sender itself"
        assertInstanceOf(Accepted.class, parser.parse(Sends.envelope(42, 3, 11, req)));
        assertRefused(Sends.envelope(7, 3, 11, Sends.groupText("c1", 0, "x")), ErrorCode.BAD_REQUEST,
                "positive group id");
    }

    @Test
    void badTargetsAndContentAreRefused() {
        assertRefused(Sends.envelope(7, 3, 11, Sends.text("c1", 0, "x")), ErrorCode.BAD_REQUEST, "target_id");
        assertRefused(Sends.envelope(7, 3, 11, Sends.text("c1", 7, "x")), ErrorCode.BAD_REQUEST, "sender itself");
        SendRequest noContent = Sends.text("c1", 42, "x").toBuilder().clearContent().build();
        assertRefused(Sends.envelope(7, 3, 11, noContent), ErrorCode.BAD_REQUEST, "content is required");
        SendRequest noType = Sends.text("c1", 42, "x").toBuilder()
                .setConversationType(ConversationType.CONVERSATION_TYPE_UNSPECIFIED).build();
        assertRefused(Sends.envelope(7, 3, 11, noType), ErrorCode.BAD_REQUEST, "conversation_type");
    }

    private void assertRefused(UpstreamEnvelope env, ErrorCode code, String messagePart) {
        Refused r = assertInstanceOf(Refused.class, parser.parse(env));
        assertEquals(code, r.rejection().code());
        assertTrue(r.rejection().message().contains(messagePart), r.rejection().message());
        assertEquals(env, r.rejection().envelope());
    }
}
