package io.magpie.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Kick;
import io.magpie.protocol.proto.KickReason;
import io.magpie.protocol.proto.Message;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatCommandTest {

    private static final long ME = 1;
    private static final long PEER = 2;
    private static final String CONVERSATION = "s_1_2";

    @Test
    void thePasswordComesFromTheOptionThenTheEnvironmentThenThePrompt() {
        assertEquals("from-option", ChatCommand.password("from-option", Map.of("MAGPIE_PASSWORD", "from-env"),
                () -> "typed".toCharArray()));
        assertEquals("from-env", ChatCommand.password(null, Map.of("MAGPIE_PASSWORD", "from-env"),
                () -> "typed".toCharArray()));
        assertEquals("typed", ChatCommand.password(null, Map.of(), () -> "typed".toCharArray()));
    }

    @Test
    void noTerminalNoVariableAndNoOptionIsNoPassword() {
        assertNull(ChatCommand.password(null, Map.of(), null));
        assertNull(ChatCommand.password(null, Map.of("MAGPIE_PASSWORD", ""), () -> new char[0]));
    }

    @Test
    void yourLinesFromThisDeviceAreYoursAndFromAnotherDeviceSayWhichOne() {
        assertEquals("[#1 you] hi", ChatActions.format(message(1, ME, "terminal-1", "hi"), PEER, "terminal-1"));
        assertEquals("[#2 you on phone] hi", ChatActions.format(message(2, ME, "phone", "hi"), PEER, "terminal-1"));
        assertEquals("[#3 them] yo", ChatActions.format(message(3, PEER, "terminal-1", "yo"), PEER, "terminal-1"));
        assertEquals("[#4 you] old", ChatActions.format(message(4, ME, "", "old"), PEER, "terminal-1"));
    }

    @Test
    void aMediaMessageShowsItsFileTypeSizeAndReference() {
        Message image = message(5, PEER, "phone", "sunset").toBuilder().setContent(MessageContent.newBuilder()
                .setType(io.magpie.protocol.proto.MessageType.IMAGE).setText("sunset").setMedia(io.magpie.protocol.proto.MediaInfo.newBuilder().setUrl("/v1/media/abc")
                        .setMimeType("image/png").setSizeBytes(48213).setWidth(1000).setHeight(500)
                        .setFileName("cat.png"))).build();
        assertEquals("[#5 them] [image 1000x500] /v1/media/abc sunset",
                ChatActions.format(image, PEER, "terminal-1"));
    }

    @Test
    void aReplyShowsItsQuoteAndAnEditedMessageItsMarkAndReactions() {
        Message reply = message(5, PEER, "", "agreed").toBuilder().setContent(MessageContent.newBuilder()
                .setText("agreed").setReplyTo(io.magpie.protocol.proto.ReplyRef.newBuilder().setSeq(3)
                        .setPreview("lunch?"))).setEditedAt(1).addReactions(io.magpie.protocol.proto.ReactionCount
                        .newBuilder().setEmoji("👍").setCount(2)).build();
        assertEquals("[#5 them] >> #3 \"lunch?\" agreed (edited) [👍2]", ChatActions.format(reply, PEER, "t"));
        Message recalledQuote = message(6, PEER, "", "ok").toBuilder().setContent(MessageContent.newBuilder()
                .setText("ok").setReplyTo(io.magpie.protocol.proto.ReplyRef.newBuilder().setSeq(3).setRecalled(true)))
                .build();
        assertEquals("[#6 them] >> #3 (recalled) ok", ChatActions.format(recalledQuote, PEER, "t"));
        Message atAll = Message.newBuilder().setConversationId("g_7").setConversationType(ConversationType.GROUP)
                .setSeq(9).setSenderUid(PEER).setContent(MessageContent.newBuilder().setText("meeting")
                        .setMentionAll(true)).build();
        assertEquals("[g_7 #9 uid " + PEER + "] *@all* meeting", ChatActions.format(atAll, PEER, "t"));
    }

    @Test
    void onConnectOnlyTheLastMessagesOfTheCatchUpArePrintedThenEveryNewOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ChatBacklog backlog = new ChatBacklog(3, out, m -> ChatActions.format(m, PEER, "terminal-1"));
        for (int seq = 1; seq <= 25; seq++) {
            backlog.add(message(seq, PEER, "x", "m" + seq));
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing printed before the chat goes live");

        assertEquals(23, backlog.goLive(CONVERSATION), "/history pages back from the oldest shown");
        backlog.add(message(26, PEER, "x", "m26"));

        assertEquals(String.join(System.lineSeparator(), "  (22 earlier messages not shown; /history pages back)",
                "[#23 them] m23", "[#24 them] m24", "[#25 them] m25", "[#26 them] m26", ""),
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aShortCatchUpIsPrintedWholeAndHistoryStartsFromTheNewest() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChatBacklog backlog = new ChatBacklog(10, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                m -> ChatActions.format(m, PEER, "terminal-1"));
        backlog.add(message(1, PEER, "x", "hello"));
        assertEquals(0, backlog.goLive(CONVERSATION));
        assertEquals("[#1 them] hello" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aKickForTheSameDeviceIsOnePlainSentence() {
        Kick kick = Kick.newBuilder().setReason(KickReason.DUPLICATE_DEVICE).setMessage("duplicate device login").build();
        assertEquals("alice signed in again as device \"terminal-1\" somewhere else, so this chat was closed"
                + " (give each terminal its own --device to chat from both).",
                ChatCommand.kickSentence(kick, "alice", "terminal-1"));
        assertEquals("The server ended your session (maintenance), so this chat was closed.", ChatCommand.kickSentence(
                Kick.newBuilder().setMessage("maintenance").build(), "alice", "terminal-1"));
    }

    private static Message message(long seq, long sender, String device, String text) {
        return Message.newBuilder().setConversationId(CONVERSATION).setConversationType(ConversationType.SINGLE)
                .setSeq(seq).setSenderUid(sender).setSenderDeviceId(device)
                .setContent(MessageContent.newBuilder().setText(text)).build();
    }
}
