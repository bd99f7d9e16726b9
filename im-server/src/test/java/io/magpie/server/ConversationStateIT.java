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
import io.magpie.client.ConversationState;
import io.magpie.client.Credentials;
import io.magpie.client.HistoryPage;
import io.magpie.client.MagpieClient;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.MessageListener;
import io.magpie.client.ReadReceipts;
import io.magpie.client.RecalledMessage;
import io.magpie.client.Transport;
import io.magpie.engines.Infrastructure;
import io.magpie.engines.TestIsolation;
import io.magpie.protocol.ErrorCode;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.Platform;
import io.magpie.protocol.proto.PullAck;
import io.magpie.protocol.proto.SendAck;
import io.magpie.protocol.proto.SyncAck;
import io.magpie.testkit.InfrastructureExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conversation state end to end (docs/PROTOCOL.md §9.5 history and the catch-up after a reconnect, §9.9 read
 * positions, unread counts and receipts, §9.10 recall, §9.11 delete for me and clear, §9.12 pin and hide) through the Java SDK against every role in this JVM on the real embedded MariaDB, Redis and
 * Kafka: user A on a TCP and a WebSocket device, user B on one TCP device. The recall window is a few seconds
 * ({@code logic.recall-window}) so that passing it is quick.
 */
@ExtendWith(InfrastructureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversationStateIT {

    private static final String PASSWORD = "correct horse battery";
    private static final Duration RECALL_WINDOW = Duration.ofSeconds(4);

    private MagpieNode node;
    private final List<MagpieClient> clients = new ArrayList<>();

    @BeforeAll
    void startNode(Infrastructure infra, TestIsolation isolation) {
        node = TestNodes.allRoles(infra, isolation, "conversation-state", Map.of("gate.limits.sends-per-second", "200", "gate.limits.send-burst", "100",
                "logic.recall-window", RECALL_WINDOW.toSeconds() + "s"));
    }

    @AfterAll
    void stopNode() {
        clients.forEach(MagpieClient::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void bReadingSendsAReceiptToBothOfAsDevicesAndBsSyncShowsNothingUnread() throws Exception {
        Device aTcp = device("receipt_a", "a-phone", Transport.TCP);
        Device aWs = device("receipt_a", "a-web", Transport.WEBSOCKET);
        Device b = device("receipt_b", "b-phone", Transport.TCP);
        String conv = single(aTcp.uid, b.uid);

        aTcp.send(b.uid, "hello");
        long last = aTcp.send(b.uid, "are you there?").getSeq();
        await().atMost(20, SECONDS).until(() -> b.received.size() == 2);
        await().atMost(10, SECONDS).until(() -> b.unread(conv) == 2);
        assertEquals(2, b.client.totalUnread());

        b.client.markRead(conv, last).get(20, SECONDS);

        for (Device a : List.of(aTcp, aWs)) {
            await().atMost(20, SECONDS).until(() -> a.peerReads.contains(conv + " " + b.uid + " " + last));
            assertEquals(last, a.client.conversationState(conv).orElseThrow().peerReadSeq());
        }
        assertEquals(0, b.unread(conv));
        assertEquals(0, b.client.totalUnread());
        ConversationInfo row = row(b.client.sync(0).get(20, SECONDS), conv);
        assertEquals(0, row.getUnreadCount());
        assertEquals(last, row.getReadSeq());
        assertEquals(0, b.client.sync(0).get(20, SECONDS).getTotalUnread());
        assertEquals(last, row(aTcp.client.sync(0).get(20, SECONDS), conv).getPeerReadSeq());
        assertTrue(b.peerReads.isEmpty(), "B's own read is no receipt for B");
    }

    @Test
    void aReadOnAsWebSocketDeviceReachesItsTcpDeviceWhoseUnreadDrops() throws Exception {
        Device aTcp = device("own_read_a", "a-phone", Transport.TCP);
        Device aWs = device("own_read_a", "a-web", Transport.WEBSOCKET);
        Device b = device("own_read_b", "b-phone", Transport.TCP);
        String conv = single(aTcp.uid, b.uid);

        for (int i = 1; i <= 3; i++) {
            b.send(aTcp.uid, "from b " + i);
        }
        await().atMost(20, SECONDS).until(() -> aTcp.unread(conv) == 3 && aWs.unread(conv) == 3);

        long version = aWs.client.markRead(conv, 3).get(20, SECONDS);

        await().atMost(20, SECONDS).until(() -> aTcp.reads.contains(conv + " 3"));
        await().atMost(10, SECONDS).until(() -> aTcp.unread(conv) == 0);
        assertEquals(0, aTcp.client.totalUnread());
        assertEquals(0, aWs.unread(conv), "the reading device counts its own READ_ACK");
        assertTrue(aWs.reads.isEmpty(), "a device is not told of its own read");
        ConversationInfo row = row(aTcp.client.sync(0).get(20, SECONDS), conv);
        assertEquals(version, row.getVersion(), "READ_ACK carries the row's version as SYNC returns it");
        assertEquals(3, row.getReadSeq());
        await().atMost(20, SECONDS).until(() -> b.peerReads.contains(conv + " " + aTcp.uid + " 3"));
    }

    @Test
    void aRecallWhileBIsOfflineShowsAsAPlaceholderAfterBReconnectsAndNoLongerCountsAsUnread() throws Exception {
        Device a = device("recall_a", "a-phone", Transport.TCP);
        Device b = device("recall_b", "b-phone", Transport.TCP);
        String conv = single(a.uid, b.uid);
        a.send(b.uid, "kept");
        await().atMost(20, SECONDS).until(() -> b.received.size() == 1);

        b.client.disconnect().get(20, SECONDS);
        SendAck regretted = a.send(b.uid, "regretted");
        long version = a.client.recall(conv, regretted.getSeq()).get(20, SECONDS);
        assertTrue(version > 0);
        b.client.connect(b.credentials).get(20, SECONDS);

        await().atMost(20, SECONDS).until(() -> b.received.size() == 2);
        Message delivered = b.received.get(1);
        assertEquals(regretted.getSeq(), delivered.getSeq());
        assertEquals(MessageStatus.RECALLED, delivered.getStatus());
        assertEquals("", delivered.getContent().getText());
        assertEquals(1, b.unread(conv), "only 'kept' is unread");
        ConversationInfo row = row(b.client.sync(0).get(20, SECONDS), conv);
        assertEquals(1, row.getUnreadCount());
        assertEquals(MessageStatus.RECALLED, row.getLastMessage().getStatus());
        assertEquals("", row.getLastMessage().getContent().getText());
        PullAck pulled = b.client.pull(conv, 1, 0, 10).get(20, SECONDS);
        assertEquals(List.of("kept", ""), pulled.getMessagesList().stream().map(m -> m.getContent().getText()).toList());
        assertEquals(List.of(MessageStatus.NORMAL, MessageStatus.RECALLED),
                pulled.getMessagesList().stream().map(Message::getStatus).toList());
        assertEquals(version, pulled.getMessages(1).getVersion());

        // recalled while B is online: B is told, and the count drops at once
        SendAck second = a.send(b.uid, "also regretted");
        await().atMost(20, SECONDS).until(() -> b.unread(conv) == 2);
        long secondVersion = a.client.recall(conv, second.getSeq()).get(20, SECONDS);
        await().atMost(20, SECONDS).until(() -> b.recalls.stream().anyMatch(r -> r.seq() == second.getSeq()));
        assertEquals(List.of(new RecalledMessage(conv, second.getSeq(), second.getMsgId(), a.uid, secondVersion, a.uid)),
                b.recalls, "told once, of this recall only (the offline one came as the placeholder message)");
        assertEquals(1, b.unread(conv));
        assertEquals(1, row(b.client.sync(0).get(20, SECONDS), conv).getUnreadCount());
    }

    @Test
    void recallingSomeoneElsesMessageIsForbiddenAndOneOutsideTheWindowIsRefused() throws Exception {
        Device a = device("refuse_a", "a-phone", Transport.TCP);
        Device b = device("refuse_b", "b-phone", Transport.TCP);
        String conv = single(a.uid, b.uid);
        SendAck sent = a.send(b.uid, "mine");

        assertRefused(ErrorCode.FORBIDDEN, () -> b.client.recall(conv, sent.getSeq()).get(20, SECONDS));

        await().pollDelay(RECALL_WINDOW.plusMillis(500)).atMost(RECALL_WINDOW.plusSeconds(5)).until(() -> true);
        assertRefused(ErrorCode.RECALL_WINDOW_PASSED, () -> a.client.recall(conv, sent.getSeq()).get(20, SECONDS));
        PullAck pulled = a.client.pull(conv, sent.getSeq(), sent.getSeq(), 1).get(20, SECONDS);
        assertEquals("mine", pulled.getMessages(0).getContent().getText(), "nothing was recalled");
        assertEquals(MessageStatus.NORMAL, pulled.getMessages(0).getStatus());
    }

    @Test
    void withReadReceiptsOffBsReadSendsNoReceiptAndAsSyncShowsNoPeerReadPosition() throws Exception {
        Device a = device("private_a", "a-phone", Transport.TCP);
        Device b = device("private_b", "b-phone", Transport.TCP);
        String conv = single(a.uid, b.uid);
        b.client.setReadReceipts(false).get(20, SECONDS);

        long last = a.send(b.uid, "read this").getSeq();
        await().atMost(20, SECONDS).until(() -> b.unread(conv) == 1);
        b.client.markRead(conv, last).get(20, SECONDS);
        // B's next message goes to A's devices through the same conversation's ordered stream as a receipt would
        b.send(a.uid, "marker");
        await().atMost(20, SECONDS).until(() -> a.received.stream().anyMatch(m -> m.getContent().getText().equals("marker")));

        assertTrue(a.peerReads.isEmpty(), "no receipt: " + a.peerReads);
        assertEquals(0, row(a.client.sync(0).get(20, SECONDS), conv).getPeerReadSeq());
        assertEquals(0, b.unread(conv), "B's read still counts for B");

        b.client.setReadReceipts(true).get(20, SECONDS);
        long next = a.send(b.uid, "and this").getSeq();
        await().atMost(20, SECONDS).until(() -> b.unread(conv) == 1);
        b.client.markRead(conv, next).get(20, SECONDS);
        await().atMost(20, SECONDS).until(() -> a.peerReads.contains(conv + " " + b.uid + " " + next));
    }

    @Test
    void historyPagesBackwardsReturnEveryMessageOnceAscendingPerPage() throws Exception {
        Device a = device("history_a", "a-phone", Transport.TCP);
        Device b = device("history_b", "b-phone", Transport.TCP);
        String conv = single(a.uid, b.uid);
        for (int i = 1; i <= 25; i++) {
            a.send(b.uid, "line " + i);
        }

        List<Long> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        long before = 0;
        boolean more = true;
        while (more) {
            HistoryPage page = b.client.history(conv, before, 10).get(20, SECONDS);
            List<Long> seqs = page.messages().stream().map(Message::getSeq).toList();
            assertEquals(seqs.stream().sorted().toList(), seqs, "ascending within a page");
            for (Message m : page.messages()) {
                assertEquals("line " + m.getSeq(), m.getContent().getText());
            }
            sizes.add(seqs.size());
            seen.addAll(0, seqs);
            more = page.hasMore();
            before = page.oldestSeq();
            assertTrue(sizes.size() <= 3, "three pages hold 25 messages; got " + sizes);
        }

        assertEquals(List.of(10, 10, 5), sizes);
        assertEquals(LongStream.rangeClosed(1, 25).boxed().toList(), seen, "each message once, none missing");
        Set<Long> unique = new HashSet<>(seen);
        assertEquals(25, unique.size());
    }

    @Test
    void deleteForMeOnOneDeviceReachesTheUsersOtherDeviceWhileThePeerKeepsTheMessage() throws Exception {
        Device aTcp = device("delete_a", "a-phone", Transport.TCP);
        Device aWs = device("delete_a", "a-web", Transport.WEBSOCKET);
        Device b = device("delete_b", "b-phone", Transport.TCP);
        String conv = single(aTcp.uid, b.uid);
        long first = b.send(aTcp.uid, "delete me").getSeq();
        long second = b.send(aTcp.uid, "keep me").getSeq();
        await().atMost(20, SECONDS).until(() -> aTcp.unread(conv) == 2 && aWs.unread(conv) == 2);

        long version = aTcp.client.deleteForMe(conv, first).get(20, SECONDS);

        await().atMost(20, SECONDS).until(() -> aWs.deletions.contains(conv + " [" + first + "]"));
        await().atMost(10, SECONDS).until(() -> aWs.unread(conv) == 1);
        assertEquals(1, aTcp.unread(conv), "the deleting device counts its own DELETE_ACK");
        assertTrue(aTcp.deletions.isEmpty(), "a device is not told of its own delete");
        PullAck mine = aWs.client.pull(conv, 1, 0, 10).get(20, SECONDS);
        assertEquals(List.of(MessageStatus.DELETED, MessageStatus.NORMAL),
                mine.getMessagesList().stream().map(Message::getStatus).toList(), "seqs stay gapless: " + mine);
        assertEquals("", mine.getMessages(0).getContent().getText());
        PullAck theirs = b.client.pull(conv, 1, 0, 10).get(20, SECONDS);
        assertEquals(List.of("delete me", "keep me"),
                theirs.getMessagesList().stream().map(m -> m.getContent().getText()).toList(), "B keeps both");
        ConversationInfo row = row(aWs.client.sync(0).get(20, SECONDS), conv);
        assertEquals(version, row.getVersion(), "DELETE_ACK carries the row's version as SYNC returns it");
        assertEquals(1, row.getUnreadCount());
        assertEquals(second, row.getLastMessage().getSeq());
    }

    @Test
    void aClearOnOneDeviceLeavesTheOtherDeviceNothingAtOrBelowItToPull() throws Exception {
        Device aTcp = device("clear_a", "a-phone", Transport.TCP);
        Device aWs = device("clear_a", "a-web", Transport.WEBSOCKET);
        Device b = device("clear_b", "b-phone", Transport.TCP);
        String conv = single(aTcp.uid, b.uid);
        for (int i = 1; i <= 3; i++) {
            b.send(aTcp.uid, "old " + i);
        }
        await().atMost(20, SECONDS).until(() -> aWs.unread(conv) == 3);

        long cleared = aTcp.client.clearHistory(conv, 0).get(20, SECONDS);

        assertEquals(3, cleared, "0 clears up to the newest message");
        await().atMost(20, SECONDS).until(() -> aWs.clears.contains(conv + " 3"));
        assertEquals(0, aWs.unread(conv));
        assertEquals(3, aWs.client.conversationState(conv).orElseThrow().clearedSeq());
        assertEquals(0, aWs.client.pull(conv, 1, 0, 10).get(20, SECONDS).getMessagesCount(), "nothing at or below 3");
        assertEquals(3, b.client.pull(conv, 1, 0, 10).get(20, SECONDS).getMessagesCount(), "B keeps the history");

        long next = b.send(aTcp.uid, "new").getSeq();
        await().atMost(20, SECONDS).until(() -> aWs.unread(conv) == 1);
        PullAck after = aWs.client.pull(conv, 1, 0, 10).get(20, SECONDS);
        assertEquals(List.of(next), after.getMessagesList().stream().map(Message::getSeq).toList());
        assertEquals(3, row(aWs.client.sync(0).get(20, SECONDS), conv).getClearedSeq());
    }

    @Test
    void anOlderMessageRecalledAndOneDeletedWhileADeviceIsOfflineAreReportedAfterItReconnects() throws Exception {
        Device a = device("missed_a", "a-phone", Transport.TCP);
        Device bPhone = device("missed_b", "b-phone", Transport.TCP);
        Device bWeb = device("missed_b", "b-web", Transport.WEBSOCKET);
        String conv = single(a.uid, bPhone.uid);
        SendAck regretted = a.send(bPhone.uid, "regretted later");
        long unwanted = a.send(bPhone.uid, "deleted by b elsewhere").getSeq();
        a.send(bPhone.uid, "the newest, untouched");
        await().atMost(20, SECONDS).until(() -> bPhone.received.size() == 3 && bWeb.received.size() == 3);

        bPhone.client.disconnect().get(20, SECONDS);
        long recallVersion = a.client.recall(conv, regretted.getSeq()).get(20, SECONDS);
        bWeb.client.deleteForMe(conv, unwanted).get(20, SECONDS);
        long newest = a.send(bPhone.uid, "sent while b-phone was away").getSeq();
        bPhone.client.connect(bPhone.credentials).get(20, SECONDS);

        await().atMost(20, SECONDS).until(() -> bPhone.recalls.size() == 1 && !bPhone.deletions.isEmpty());
        assertEquals(new RecalledMessage(conv, regretted.getSeq(), regretted.getMsgId(), 0, recallVersion, a.uid),
                bPhone.recalls.get(0), "found by the since_version catch-up: not the conversation's last message");
        assertEquals(List.of(conv + " [" + unwanted + "]"), bPhone.deletions);
        await().atMost(20, SECONDS).until(() -> bPhone.received.size() == 4);
        assertEquals(List.of(1L, 2L, 3L, newest), bPhone.received.stream().map(Message::getSeq).toList(),
                "the catch-up reports, it does not deliver the changed messages again");
        assertTrue(bPhone.received.stream().allMatch(m -> m.getStatus() == MessageStatus.NORMAL));
        assertEquals(2, bPhone.unread(conv), "the newest two: one recalled and one deleted for B");
    }

    @Test
    void pinAndHideOnOneDeviceShowInTheOtherDevicesSyncAndANewMessageUnhides() throws Exception {
        Device aTcp = device("list_a", "a-phone", Transport.TCP);
        Device aWs = device("list_a", "a-web", Transport.WEBSOCKET);
        Device b = device("list_b", "b-phone", Transport.TCP);
        String conv = single(aTcp.uid, b.uid);
        b.send(aTcp.uid, "hi");
        await().atMost(20, SECONDS).until(() -> aWs.unread(conv) == 1);

        aTcp.client.pin(conv, true).get(20, SECONDS);
        long pinnedAt = aTcp.client.conversationState(conv).orElseThrow().pinnedAt();
        assertTrue(pinnedAt > 0, "the pinning device SYNCed after its own change");
        aWs.client.syncNow().get(20, SECONDS);
        assertEquals(pinnedAt, aWs.client.conversationState(conv).orElseThrow().pinnedAt());

        aTcp.client.hide(conv, true).get(20, SECONDS);
        aWs.client.syncNow().get(20, SECONDS);
        assertTrue(aWs.client.conversationState(conv).orElseThrow().hidden());

        aTcp.client.pin(conv, false).get(20, SECONDS);
        b.send(aTcp.uid, "back in the list");
        await().atMost(20, SECONDS).until(() -> aWs.unread(conv) == 2);
        aWs.client.syncNow().get(20, SECONDS);
        ConversationState state = aWs.client.conversationState(conv).orElseThrow();
        assertFalse(state.hidden(), "a new message shows a hidden conversation again");
        assertEquals(0, state.pinnedAt());
        assertFalse(row(b.client.sync(0).get(20, SECONDS), conv).getDeleted(), "B's own row never changed");
    }

    @Test
    void groupReadReceiptsCountAndListTheMembersWhoReadAMessage() throws Exception {
        Device owner = device("receipts_owner", "o-phone", Transport.TCP);
        Device reader = device("receipts_reader", "r-phone", Transport.TCP);
        Device idle = device("receipts_idle", "i-phone", Transport.WEBSOCKET);
        long group = new AccountClient(owner.client.config()).createGroup(owner.credentials, "receipts",
                List.of(reader.uid, idle.uid));
        String conv = "g_" + group;
        long seq = owner.client.sendText(ConversationType.GROUP, group, "who read this?").get(20, SECONDS).getSeq();
        await().atMost(20, SECONDS).until(() -> reader.unread(conv) == 1 && idle.unread(conv) == 1);

        ReadReceipts none = owner.client.readReceipts(conv, seq).get(20, SECONDS);
        assertEquals(new ReadReceipts(conv, seq, 0, 2, List.of()), none, "the sender is not counted");

        reader.client.markRead(conv, seq).get(20, SECONDS);

        ReadReceipts one = owner.client.readReceipts(conv, seq).get(20, SECONDS);
        assertEquals(1, one.readCount());
        assertEquals(1, one.unreadCount());
        assertEquals(List.of(reader.uid), one.readers());
        assertEquals(one, idle.client.readReceipts(conv, seq).get(20, SECONDS), "any member may ask");
    }

    // ---- helpers

    private static void assertRefused(ErrorCode expected, org.junit.jupiter.api.function.Executable call) {
        ExecutionException e = assertThrows(ExecutionException.class, call);
        MagpieErrorException refused = assertInstanceOf(MagpieErrorException.class, e.getCause());
        assertEquals(expected, refused.code(), refused.getMessage());
        assertFalse(refused.retryable());
    }

    private static String single(long a, long b) {
        return "s_" + Math.min(a, b) + "_" + Math.max(a, b);
    }

    private static ConversationInfo row(SyncAck ack, String conv) {
        assertFalse(ack.getHasMore(), "one page holds this test's conversations");
        return ack.getConversationsList().stream().filter(c -> c.getConversationId().equals(conv)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + conv + " in " + ack));
    }

    private Device device(String user, String deviceId, Transport transport) throws Exception {
        ClientConfig config = ClientConfig.builder()
                .accountApiUrl("http://127.0.0.1:" + node.accountApiPort())
                .lsbUrl("http://127.0.0.1:" + node.lsbPort())
                .transport(transport)
                .deviceId(deviceId)
                .platform(transport == Transport.WEBSOCKET ? Platform.WEB : Platform.ANDROID)
                .requestTimeout(Duration.ofSeconds(20))
                .build();
        AccountClient accounts = new AccountClient(config);
        try {
            accounts.register(user, PASSWORD, user);
        } catch (io.magpie.client.MagpieApiException e) {
            if (e.status() != 409) {
                throw e; // 409: the user's first device registered it
            }
        }
        Credentials credentials = accounts.login(user, PASSWORD, deviceId,
                transport == Transport.WEBSOCKET ? Platform.WEB : Platform.ANDROID);
        MagpieClient client = new MagpieClient(config);
        clients.add(client);
        Device device = new Device(credentials.uid(), credentials, client);
        client.addListener(device);
        client.connect(credentials).get(20, SECONDS);
        return device;
    }

    /** One logged-in device and what its listener saw. */
    private static final class Device implements MessageListener {
        final long uid;
        final Credentials credentials;
        final MagpieClient client;
        final List<Message> received = new CopyOnWriteArrayList<>();
        final List<String> reads = new CopyOnWriteArrayList<>();
        final List<String> peerReads = new CopyOnWriteArrayList<>();
        final List<RecalledMessage> recalls = new CopyOnWriteArrayList<>();
        final List<String> deletions = new CopyOnWriteArrayList<>();
        final List<String> clears = new CopyOnWriteArrayList<>();

        Device(long uid, Credentials credentials, MagpieClient client) {
            this.uid = uid;
            this.credentials = credentials;
            this.client = client;
        }

        SendAck send(long to, String text) throws Exception {
            return client.sendText(ConversationType.SINGLE, to, text).get(20, SECONDS);
        }

        long unread(String conv) {
            return client.conversationState(conv).map(ConversationState::unreadCount).orElse(-1L);
        }

        @Override
        public void onMessage(Message message) {
            received.add(message);
        }

        @Override
        public void onRead(String conversationId, long readSeq) {
            reads.add(conversationId + " " + readSeq);
        }

        @Override
        public void onPeerRead(String conversationId, long peerUid, long readSeq) {
            peerReads.add(conversationId + " " + peerUid + " " + readSeq);
        }

        @Override
        public void onRecalled(RecalledMessage recalled) {
            recalls.add(recalled);
        }

        @Override
        public void onDeleted(String conversationId, List<Long> seqs) {
            deletions.add(conversationId + " " + seqs);
        }

        @Override
        public void onCleared(String conversationId, long clearedSeq) {
            clears.add(conversationId + " " + clearedSeq);
        }
    }
}
