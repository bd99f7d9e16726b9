package io.magpie.server;

import static io.magpie.server.SdkUsers.refusal;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.MagpieErrorException;
import io.magpie.das.Database;
import io.magpie.das.MessageChanges;
import io.magpie.das.MysqlConfig;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.EditAck;
import io.magpie.protocol.proto.ReactAck;
import io.magpie.protocol.proto.ReactionCount;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.ReplyRef;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.SdkUsers.SdkUser;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies and mentions on real servers (docs/PROTOCOL.md §9.19, §9.20): a reply's quote is checked against the
 * conversation and filled in by the server, and a recall of the quoted message marks it recalled by version; a
 * mention marks the mentioned members' rows "@me" in SYNC until they read past it, @all only by admins.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RichMessagesIT {

    /** Long enough for an edit right after sending on a busy machine; the test waits it out once. */
    private static final Duration EDIT_WINDOW = Duration.ofSeconds(8);
    /** Member notifications per group per hour for @all: two @all of a 3-member group, not three. */
    private static final int MENTION_ALL_BUDGET = 7;

    private MagpieNode cluster;
    private Database database;
    private SdkUsers users;

    @BeforeAll
    void start(Infrastructure infra, TestIsolation isolation) throws Exception {
        database = Database.open(MysqlConfig.of(isolation.jdbcUrl(), infra.mysqlUser(), infra.mysqlPassword()));
        cluster = TestNodes.allRoles(infra, isolation, "rich-messages-it", Map.of(
                "logic.edit-window", EDIT_WINDOW.toSeconds() + "s",
                "logic.max-reaction-emoji", "2",
                "logic.rate-limits.mention-all-members-per-hour", Integer.toString(MENTION_ALL_BUDGET)));
        users = SdkUsers.of(cluster);
    }

    @AfterAll
    void stop() {
        if (users != null) {
            users.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aReplyQuotesAMessageOfItsConversationAndShowsItRecalledOnceItIs() throws Exception {
        SdkUser ann = user("ann_reply");
        SdkUser ben = user("ben_reply");
        String longText = "x".repeat(95) + "😀😀😀😀😀😀😀😀😀😀";
        SendAck first = ann.client().sendText(ConversationType.SINGLE, ben.uid(), longText).get(20, SECONDS);
        String conv = first.getConversationId();

        SendAck reply = ben.client().reply(ConversationType.SINGLE, ann.uid(), first.getSeq(), "agreed").get(20, SECONDS);

        ReplyRef quoted = reply.getContent().getReplyTo();
        assertEquals(ReplyRef.newBuilder().setSeq(first.getSeq()).setMsgId(first.getMsgId()).setSenderUid(ann.uid())
                .setType(MessageType.TEXT).setPreview("x".repeat(95) + "😀😀😀😀😀").build(), quoted,
                "the server filled the quote in, its preview cut to 100 code points");
        Message atAnn = ann.awaitMessage(conv, reply.getSeq());
        assertEquals(quoted, atAnn.getContent().getReplyTo(), "the other side gets the same quote");

        MagpieErrorException missing = refusal(ben.client().reply(ConversationType.SINGLE, ann.uid(), 99, "what?"));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("content.reply_to.seq 99"), missing.getMessage());
        MessageContent wrongId = MessageContent.newBuilder().setType(MessageType.TEXT).setText("hm")
                .setReplyTo(ReplyRef.newBuilder().setSeq(first.getSeq()).setMsgId(first.getMsgId() + 1)).build();
        assertEquals(ErrorCode.BAD_REQUEST, refusal(ben.client().send("wrong-id", ConversationType.SINGLE, ann.uid(),
                wrongId)).code());

        long recalledAt = ann.client().recall(conv, first.getSeq()).get(20, SECONDS);

        Message pulled = ben.client().pull(conv, reply.getSeq(), reply.getSeq(), 1).get(20, SECONDS).getMessages(0);
        assertTrue(pulled.getContent().getReplyTo().getRecalled(), "the quote shows the recall");
        assertEquals("", pulled.getContent().getReplyTo().getPreview(), "the recalled text is gone from the quote");
        assertEquals("agreed", pulled.getContent().getText());
        assertTrue(pulled.getVersion() > recalledAt, "a new version, so devices holding the reply update it");
        SendAck late = ben.client().reply(ConversationType.SINGLE, ann.uid(), first.getSeq(), "too late").get(20, SECONDS);
        assertTrue(late.getContent().getReplyTo().getRecalled(), "a reply to a recalled message quotes it recalled");
    }

    @Test
    void mentionsMarkTheMentionedRowsUntilReadAndAtAllIsForAdmins() throws Exception {
        SdkUser owner = user("own_mention");
        SdkUser amy = user("amy_mention");
        SdkUser bob = user("bob_mention");
        long gid = owner.client().groups().create("mentions", List.of(amy.uid(), bob.uid())).get(20, SECONDS);
        String conv = "g_" + gid;

        MagpieErrorException notAdmin = refusal(amy.client().sendMention(gid, "@all lunch", List.of(), true));
        assertEquals(ErrorCode.MENTION_ALL_NOT_ALLOWED, notAdmin.code());
        assertEquals(2030, notAdmin.code().code());
        MagpieErrorException stranger = refusal(amy.client().sendMention(gid, "@who", List.of(owner.uid() + 100_000),
                false));
        assertEquals(ErrorCode.BAD_REQUEST, stranger.code());
        assertEquals(ErrorCode.BAD_REQUEST, refusal(amy.client().send("dm-mention", ConversationType.SINGLE, bob.uid(),
                MessageContent.newBuilder().setType(MessageType.TEXT).setText("@bob").addMentionedUids(bob.uid())
                        .build())).code(), "mentions are for groups");

        SendAck toBob = amy.client().sendMention(gid, "@bob lunch?", List.of(bob.uid()), false).get(20, SECONDS);

        assertTrue(row(bob, conv).getMentioned(), "bob's row says @me");
        assertFalse(row(owner, conv).getMentioned(), "nobody mentioned the owner");
        assertFalse(row(amy, conv).getMentioned(), "nor the sender");
        assertEquals(List.of(bob.uid()), bob.awaitMessage(conv, toBob.getSeq()).getContent().getMentionedUidsList());
        await().atMost(20, SECONDS).until(() -> bob.client().conversationState(conv)
                .map(s -> s.mentioned()).orElse(false));

        bob.client().markRead(conv, toBob.getSeq()).get(20, SECONDS);
        assertFalse(row(bob, conv).getMentioned(), "reading past it clears the mark");

        SendAck all = owner.client().sendMention(gid, "@all meeting", List.of(), true).get(20, SECONDS);
        assertTrue(row(amy, conv).getMentioned());
        assertTrue(row(bob, conv).getMentioned());
        assertFalse(row(owner, conv).getMentioned(), "the sender's own @all marks nothing for them");
        bob.client().markRead(conv, all.getSeq()).get(20, SECONDS);
        assertFalse(row(bob, conv).getMentioned());
    }

    @Test
    void atAllSpendsItsGroupsHourlyBudgetByTheGroupsSize() throws Exception {
        SdkUser owner = user("own_atall");
        SdkUser amy = user("amy_atall");
        SdkUser bob = user("bob_atall");
        long small = owner.client().groups().create("three", List.of(amy.uid(), bob.uid())).get(20, SECONDS);
        owner.client().groups().setAdmin(small, amy.uid(), true).get(20, SECONDS);

        assertEquals(ErrorCode.MENTION_ALL_NOT_ALLOWED,
                refusal(bob.client().sendMention(small, "@all", List.of(), true)).code(), "a member's @all costs nothing");
        owner.client().sendMention(small, "@all one", List.of(), true).get(20, SECONDS);
        amy.client().sendMention(small, "@all two", List.of(), true).get(20, SECONDS);
        MagpieErrorException over = refusal(owner.client().sendMention(small, "@all three", List.of(), true));
        assertEquals(ErrorCode.MENTION_ALL_LIMITED, over.code(), "two @all of 3 members spent 6 of " + MENTION_ALL_BUDGET
                + ", shared by the group's admins");
        assertTrue(over.retryAfter().toMinutes() >= 59, "the group's hour renews: " + over.retryAfter());
        assertTrue(over.getMessage().contains("mention-all-members-per-hour=" + MENTION_ALL_BUDGET), over.getMessage());
        owner.client().sendMention(small, "@amy @bob", List.of(amy.uid(), bob.uid()), false).get(20, SECONDS);

        List<Long> seven = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seven.add(user("m" + i + "_atall").uid());
        }
        long big = owner.client().groups().create("eight", seven).get(20, SECONDS);
        owner.client().sendMention(big, "@all to eight", List.of(), true).get(20, SECONDS);
        assertEquals(ErrorCode.MENTION_ALL_LIMITED, refusal(owner.client().sendMention(big, "@all again", List.of(), true))
                .code(), "a group above the budget gets one @all in its hour");
    }

    @Test
    void aMemberQuotesOnlyWhatTheyCanSee() throws Exception {
        SdkUser owner = user("own_quote");
        SdkUser late = user("late_quote");
        long gid = owner.client().groups().create("quotes", List.of()).get(20, SECONDS);
        SendAck early = owner.client().sendText(ConversationType.GROUP, gid, "before you came").get(20, SECONDS);
        long joined = owner.client().groups().invite(gid, List.of(late.uid())).get(20, SECONDS).getSeq();

        assertEquals(ErrorCode.NOT_FOUND, refusal(late.client().reply(ConversationType.GROUP, gid, early.getSeq(),
                "what was that?")).code());
        SendAck ok = late.client().reply(ConversationType.GROUP, gid, joined, "thanks for inviting").get(20, SECONDS);
        assertEquals(MessageType.SYSTEM, ok.getContent().getReplyTo().getType());
        assertEquals(owner.uid(), ok.getContent().getReplyTo().getSenderUid());
    }

    @Test
    void reactionsAreOnePerUserAggregatedPerEmojiBoundedAndReachEveryDeviceByVersion() throws Exception {
        SdkUser owner = user("own_react");
        SdkUser amy = user("amy_react");
        SdkUser bob = user("bob_react");
        long gid = owner.client().groups().create("reactions", List.of(amy.uid(), bob.uid())).get(20, SECONDS);
        String conv = "g_" + gid;
        SendAck lunch = owner.client().sendText(ConversationType.GROUP, gid, "lunch?").get(20, SECONDS);
        long seq = lunch.getSeq();

        ReactAck first = amy.client().react(conv, seq, "👍").get(20, SECONDS);
        assertEquals(List.of(count("👍", amy.uid())), first.getReactionsList());
        ReactAck again = amy.client().react(conv, seq, "👍").get(20, SECONDS);
        assertEquals(first.getVersion(), again.getVersion(), "the same reaction again changes nothing");
        ReactAck second = bob.client().react(conv, seq, "👍").get(20, SECONDS);
        assertEquals(List.of(count("👍", amy.uid(), bob.uid())), second.getReactionsList());
        assertTrue(second.getVersion() > first.getVersion());
        Message changed = owner.awaitChange(conv, seq, second.getVersion());
        assertEquals(second.getReactionsList(), changed.getReactionsList(), "the notice carries the message as it is");

        ReactAck heart = bob.client().react(conv, seq, "❤️").get(20, SECONDS);
        assertEquals(List.of(count("👍", amy.uid()), count("❤️", bob.uid())), heart.getReactionsList(),
                "one reaction per user: bob's thumbs-up became a heart");
        MagpieErrorException limit = refusal(owner.client().react(conv, seq, "😀"));
        assertEquals(ErrorCode.REACTION_LIMIT, limit.code());
        assertTrue(limit.getMessage().contains("logic.max-reaction-emoji=2"), limit.getMessage());
        owner.client().react(conv, seq, "❤️").get(20, SECONDS);
        ReactAck removed = amy.client().react(conv, seq, null).get(20, SECONDS);
        assertEquals(List.of(count("❤️", bob.uid(), owner.uid())), removed.getReactionsList());

        Message pulled = bob.client().pull(conv, seq, seq, 1).get(20, SECONDS).getMessages(0);
        assertEquals(removed.getReactionsList(), pulled.getReactionsList());
        assertEquals(removed.getVersion(), pulled.getVersion(), "a since_version PULL finds it");
        assertTrue(row(bob, conv).getVersion() >= removed.getVersion(), "SYNC shows every member's row changed");
        assertEquals(ErrorCode.NOT_FOUND, refusal(amy.client().react(conv, 999, "👍")).code());
    }

    @Test
    void theSenderEditsWithinTheWindowAndEveryDeviceGetsTheNewVersion() throws Exception {
        SdkUser ann = user("ann_edit");
        SdkUser ben = user("ben_edit");
        SendAck typo = ann.client().sendText(ConversationType.SINGLE, ben.uid(), "helo").get(20, SECONDS);
        String conv = typo.getConversationId();
        long seq = typo.getSeq();

        EditAck edited = ann.client().edit(conv, seq, text("hello")).get(20, SECONDS);

        assertEquals("hello", edited.getContent().getText());
        assertTrue(edited.getEditedAt() > 0 && edited.getVersion() > typo.getMsgId());
        Message atBen = ben.awaitChange(conv, seq, edited.getVersion());
        assertEquals("hello", atBen.getContent().getText());
        assertEquals(edited.getEditedAt(), atBen.getEditedAt(), "marked edited");
        Message pulled = ben.client().pull(conv, seq, seq, 1).get(20, SECONDS).getMessages(0);
        assertEquals("hello", pulled.getContent().getText());
        assertEquals(edited.getEditedAt(), pulled.getEditedAt());
        List<byte[]> history = new MessageChanges(database.dataSource()).previousContents(typo.getMsgId());
        assertEquals(List.of("helo"), history.stream().map(RichMessagesIT::textOf).toList(),
                "the replaced content is kept");

        assertEquals(ErrorCode.FORBIDDEN, refusal(ben.client().edit(conv, seq, text("hijacked"))).code());
        assertEquals(ErrorCode.BAD_REQUEST, refusal(ann.client().edit(conv, seq, MessageContent.newBuilder()
                .setType(MessageType.EMOJI).setText("👍").build())).code(), "the type stays");
        assertEquals(ErrorCode.BAD_REQUEST, refusal(ann.client().edit(conv, seq, text(" "))).code(),
                "re-validated as a SEND is");

        Thread.sleep(EDIT_WINDOW.toMillis() + 500);
        MagpieErrorException late = refusal(ann.client().edit(conv, seq, text("hello!")));
        assertEquals(ErrorCode.EDIT_WINDOW_PASSED, late.code());
        assertTrue(late.getMessage().contains("logic.edit-window"), late.getMessage());
    }

    private static String textOf(byte[] content) {
        try {
            return MessageContent.parseFrom(content).getText();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("stored content is not a MessageContent", e);
        }
    }

    private static MessageContent text(String text) {
        return MessageContent.newBuilder().setType(MessageType.TEXT).setText(text).build();
    }

    private static ReactionCount count(String emoji, Long... uids) {
        return ReactionCount.newBuilder().setEmoji(emoji).setCount(uids.length).addAllUids(List.of(uids)).build();
    }

    private static ConversationInfo row(SdkUser u, String conv) throws Exception {
        return u.client().sync(0).get(20, SECONDS).getConversationsList().stream()
                .filter(c -> c.getConversationId().equals(conv)).findFirst().orElseThrow();
    }

    private SdkUser user(String name) throws Exception {
        return users.register(name, name + "-phone");
    }
}
