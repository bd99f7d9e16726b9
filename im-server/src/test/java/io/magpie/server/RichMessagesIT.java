package io.magpie.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.AccountClient;
import io.magpie.client.ClientConfig;
import io.magpie.client.Credentials;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.ReplyRef;
import io.magpie.protocol.proto.SendAck;
import io.magpie.server.config.ConfigTree;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies and mentions on real servers (docs/PROTOCOL.md §9.17, §9.18): a reply's quote is checked against the
 * conversation and filled in by the server, and a recall of the quoted message marks it recalled by version; a
 * mention marks the mentioned members' rows "@me" in SYNC until they read past it, @all only by admins.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RichMessagesIT {

    private static final String PASSWORD = "correct horse battery";

    private MagpieNode cluster;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void start(Infrastructure infra, TestIsolation isolation) throws Exception {
        cluster = TestNodes.allRoles(ConfigTree.of("""
                redis:
                  key-prefix: "%s"
                kafka:
                  topic-prefix: "%s"
                  partitions: 2
                auth:
                  token-secret: "rich-messages-it-token-secret-of-32-bytes-or-more"
                cluster:
                  secret: "rich-messages-it-cluster-secret-of-32-bytes-or-more"
                health:
                  bind: 127.0.0.1
                gate:
                  tcp-port: 0
                  ws-port: 0
                  internal-port: 0
                lsb:
                  port: 0
                  poll-interval: 200ms
                logic:
                  http-port: 0
                  pbkdf2-iterations: 1000
                  rate-limits:
                    messages-per-second: 0
                    messages-per-minute: 0
                """.formatted(isolation.redisKeyPrefix(), isolation.topicPrefix()), Map.of()), infra, isolation);
    }

    @AfterAll
    void stop() {
        clients.forEach(MagpieClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReplyQuotesAMessageOfItsConversationAndShowsItRecalledOnceItIs() throws Exception {
        User ann = user("ann_reply");
        User ben = user("ben_reply");
        String longText = "x".repeat(95) + "😀😀😀😀😀😀😀😀😀😀";
        SendAck first = ann.client.sendText(ConversationType.SINGLE, ben.uid, longText).get(20, SECONDS);
        String conv = first.getConversationId();

        SendAck reply = ben.client.reply(ConversationType.SINGLE, ann.uid, first.getSeq(), "agreed").get(20, SECONDS);

        ReplyRef quoted = reply.getContent().getReplyTo();
        assertEquals(ReplyRef.newBuilder().setSeq(first.getSeq()).setMsgId(first.getMsgId()).setSenderUid(ann.uid)
                .setType(MessageType.TEXT).setPreview("x".repeat(95) + "😀😀😀😀😀").build(), quoted,
                "the server filled the quote in, its preview cut to 100 code points");
        Message atAnn = ann.awaitMessage(conv, reply.getSeq());
        assertEquals(quoted, atAnn.getContent().getReplyTo(), "the other side gets the same quote");

        MagpieErrorException missing = refusal(ben.client.reply(ConversationType.SINGLE, ann.uid, 99, "what?"));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("content.reply_to.seq 99"), missing.getMessage());
        MessageContent wrongId = MessageContent.newBuilder().setType(MessageType.TEXT).setText("hm")
                .setReplyTo(ReplyRef.newBuilder().setSeq(first.getSeq()).setMsgId(first.getMsgId() + 1)).build();
        assertEquals(ErrorCode.BAD_REQUEST, refusal(ben.client.send("wrong-id", ConversationType.SINGLE, ann.uid,
                wrongId)).code());

        long recalledAt = ann.client.recall(conv, first.getSeq()).get(20, SECONDS);

        Message pulled = ben.client.pull(conv, reply.getSeq(), reply.getSeq(), 1).get(20, SECONDS).getMessages(0);
        assertTrue(pulled.getContent().getReplyTo().getRecalled(), "the quote shows the recall");
        assertEquals("", pulled.getContent().getReplyTo().getPreview(), "the recalled text is gone from the quote");
        assertEquals("agreed", pulled.getContent().getText());
        assertTrue(pulled.getVersion() > recalledAt, "a new version, so devices holding the reply update it");
        SendAck late = ben.client.reply(ConversationType.SINGLE, ann.uid, first.getSeq(), "too late").get(20, SECONDS);
        assertTrue(late.getContent().getReplyTo().getRecalled(), "a reply to a recalled message quotes it recalled");
    }

    @Test
    void mentionsMarkTheMentionedRowsUntilReadAndAtAllIsForAdmins() throws Exception {
        User owner = user("own_mention");
        User amy = user("amy_mention");
        User bob = user("bob_mention");
        long gid = owner.client.groups().create("mentions", List.of(amy.uid, bob.uid)).get(20, SECONDS);
        String conv = "g_" + gid;

        MagpieErrorException notAdmin = refusal(amy.client.sendMention(gid, "@all lunch", List.of(), true));
        assertEquals(ErrorCode.MENTION_ALL_NOT_ALLOWED, notAdmin.code());
        assertEquals(2030, notAdmin.code().code());
        MagpieErrorException stranger = refusal(amy.client.sendMention(gid, "@who", List.of(owner.uid + 100_000),
                false));
        assertEquals(ErrorCode.BAD_REQUEST, stranger.code());
        assertEquals(ErrorCode.BAD_REQUEST, refusal(amy.client.send("dm-mention", ConversationType.SINGLE, bob.uid,
                MessageContent.newBuilder().setType(MessageType.TEXT).setText("@bob").addMentionedUids(bob.uid)
                        .build())).code(), "mentions are for groups");

        SendAck toBob = amy.client.sendMention(gid, "@bob lunch?", List.of(bob.uid), false).get(20, SECONDS);

        assertTrue(row(bob, conv).getMentioned(), "bob's row says @me");
        assertFalse(row(owner, conv).getMentioned(), "nobody mentioned the owner");
        assertFalse(row(amy, conv).getMentioned(), "nor the sender");
        assertEquals(List.of(bob.uid), bob.awaitMessage(conv, toBob.getSeq()).getContent().getMentionedUidsList());
        await().atMost(20, SECONDS).until(() -> bob.client.conversationState(conv)
                .map(s -> s.mentioned()).orElse(false));

        bob.client.markRead(conv, toBob.getSeq()).get(20, SECONDS);
        assertFalse(row(bob, conv).getMentioned(), "reading past it clears the mark");

        SendAck all = owner.client.sendMention(gid, "@all meeting", List.of(), true).get(20, SECONDS);
        assertTrue(row(amy, conv).getMentioned());
        assertTrue(row(bob, conv).getMentioned());
        assertFalse(row(owner, conv).getMentioned(), "the sender's own @all marks nothing for them");
        bob.client.markRead(conv, all.getSeq()).get(20, SECONDS);
        assertFalse(row(bob, conv).getMentioned());
    }

    @Test
    void aMemberQuotesOnlyWhatTheyCanSee() throws Exception {
        User owner = user("own_quote");
        User late = user("late_quote");
        long gid = owner.client.groups().create("quotes", List.of()).get(20, SECONDS);
        SendAck early = owner.client.sendText(ConversationType.GROUP, gid, "before you came").get(20, SECONDS);
        long joined = owner.client.groups().invite(gid, List.of(late.uid)).get(20, SECONDS).getSeq();

        assertEquals(ErrorCode.NOT_FOUND, refusal(late.client.reply(ConversationType.GROUP, gid, early.getSeq(),
                "what was that?")).code());
        SendAck ok = late.client.reply(ConversationType.GROUP, gid, joined, "thanks for inviting").get(20, SECONDS);
        assertEquals(MessageType.SYSTEM, ok.getContent().getReplyTo().getType());
        assertEquals(owner.uid, ok.getContent().getReplyTo().getSenderUid());
    }

    private static ConversationInfo row(User u, String conv) throws Exception {
        return u.client.sync(0).get(20, SECONDS).getConversationsList().stream()
                .filter(c -> c.getConversationId().equals(conv)).findFirst().orElseThrow();
    }

    private static MagpieErrorException refusal(CompletableFuture<SendAck> send) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> send.get(20, SECONDS));
        return assertInstanceOf(MagpieErrorException.class, e.getCause());
    }

    private User user(String name) throws Exception {
        String device = name + "-phone";
        AccountClient accounts = new AccountClient(config(device));
        accounts.register(name, PASSWORD, name);
        Credentials credentials = accounts.login(name, PASSWORD, device, Platform.ANDROID);
        List<Message> received = new CopyOnWriteArrayList<>();
        MagpieClient client = new MagpieClient(config(device));
        clients.add(client);
        client.addListener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
                received.add(message);
            }
        });
        client.connect(credentials).get(20, SECONDS);
        return new User(credentials.uid(), client, received);
    }

    private ClientConfig config(String device) {
        return ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + cluster.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + cluster.lsbPort())
                .deviceId(device)
                .platform(Platform.DESKTOP)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
    }

    private record User(long uid, MagpieClient client, List<Message> received) {
        Message awaitMessage(String conv, long seq) {
            await().atMost(20, SECONDS).until(() -> received.stream()
                    .anyMatch(m -> m.getConversationId().equals(conv) && m.getSeq() == seq));
            return received.stream().filter(m -> m.getConversationId().equals(conv) && m.getSeq() == seq)
                    .findFirst().orElseThrow();
        }
    }
}
