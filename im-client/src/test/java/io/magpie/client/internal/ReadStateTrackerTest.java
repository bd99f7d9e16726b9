package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConversationState;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageContent;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.MessageType;
import io.magpie.protocol.proto.Notice;
import io.magpie.protocol.proto.NoticeType;
import io.magpie.protocol.proto.SyncAck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's unread bookkeeping between SYNCs, as docs/PROTOCOL.md §9.9 and §9.10 describe it. */
class ReadStateTrackerTest {

    private static final long ME = 7;
    private static final long PEER = 8;
    private static final String C = "s_7_8";
    private static final String G = "g_5";

    private final List<String> events = new ArrayList<>();
    private final List<RecalledMessage> recalls = new ArrayList<>();
    private final ReadStateTracker tracker = new ReadStateTracker(new MessageListener() {
        @Override
        public void onRead(String conversationId, long readSeq) {
            events.add("read " + conversationId + " " + readSeq);
        }

        @Override
        public void onPeerRead(String conversationId, long peerUid, long readSeq) {
            events.add("peer-read " + conversationId + " " + peerUid + " " + readSeq);
        }

        @Override
        public void onRecalled(RecalledMessage recalled) {
            recalls.add(recalled);
        }

        @Override
        public void onUnreadChanged(String conversationId, long unreadCount, long totalUnread) {
            events.add("unread " + conversationId + " " + unreadCount + "/" + totalUnread);
        }
    });

    ReadStateTrackerTest() {
        tracker.loggedIn(ME);
    }

    @Test
    void aSyncSetsTheServersExactNumbersAndThePushedMessagesOfOthersAddOneEach() {
        tracker.synced(sync(5, row(C, 10, 7, 3, 100).setPeerReadSeq(9)));

        assertEquals(new ConversationState(C, 7, 3, 9, 10, false), tracker.state(C).orElseThrow());
        assertEquals(5, tracker.totalUnread(), "total_unread covers conversations not on this page too");

        tracker.delivered(message(C, 11, PEER));
        tracker.delivered(message(C, 12, PEER));

        assertEquals(5, unread(C));
        assertEquals(7, tracker.totalUnread());
        assertEquals(List.of("unread s_7_8 3/5", "unread s_7_8 4/6", "unread s_7_8 5/7"), events);
    }

    @Test
    void aMessageCountedByTheSyncIsNotCountedAgainWhenItIsPulledAfterIt() {
        tracker.synced(sync(2, row(C, 12, 10, 2, 100)));

        tracker.delivered(message(C, 11, PEER)); // the catch-up PULL after login
        tracker.delivered(message(C, 12, PEER));

        assertEquals(2, unread(C));
        assertEquals(2, tracker.totalUnread());
    }

    @Test
    void ownMessagesNeverCountAndReadEverythingBeforeThem() {
        tracker.delivered(message(C, 1, PEER));
        tracker.delivered(message(C, 2, PEER));
        assertEquals(2, unread(C));

        tracker.delivered(message(C, 3, ME)); // sent from another device of mine
        assertEquals(0, unread(C));
        assertEquals(3, tracker.state(C).orElseThrow().readSeq());

        tracker.delivered(message(C, 4, PEER));
        tracker.sent(C, 5); // this device's SEND_ACK
        assertEquals(0, unread(C));
        assertEquals(5, tracker.state(C).orElseThrow().readSeq());
        assertEquals(0, tracker.totalUnread());
    }

    @Test
    void noticeReadOfAnotherDeviceMovesTheReadPositionAndDropsWhatItCovers() {
        tracker.synced(sync(0, row(C, 4, 4, 0, 100)));
        for (long seq = 5; seq <= 8; seq++) {
            tracker.delivered(message(C, seq, PEER));
        }
        assertEquals(4, unread(C));
        events.clear();

        tracker.notice(notice(NoticeType.NOTICE_READ, C, 6, ME, 200));

        assertEquals(2, unread(C), "7 and 8 are still unread");
        assertEquals(6, tracker.state(C).orElseThrow().readSeq());
        assertEquals(List.of("unread s_7_8 2/2", "read s_7_8 6"), events);

        tracker.notice(notice(NoticeType.NOTICE_READ, C, 6, ME, 200)); // the same notice again
        tracker.notice(notice(NoticeType.NOTICE_READ, C, 5, ME, 150)); // an older one, late
        assertEquals(2, unread(C));
        assertEquals(2, events.size(), "nothing moved, nothing reported");
    }

    @Test
    void aReadOfPartOfWhatTheSyncCountedLeavesAtMostWhatCanLieAboveIt() {
        tracker.synced(sync(5, row(C, 10, 2, 5, 100)));

        tracker.notice(notice(NoticeType.NOTICE_READ, C, 8, ME, 200));
        assertEquals(2, unread(C), "only seqs 9 and 10 can still be unread");

        tracker.notice(notice(NoticeType.NOTICE_READ, C, 10, ME, 300));
        assertEquals(0, unread(C), "read up to the newest: exact");
        assertEquals(0, tracker.totalUnread());
    }

    @Test
    void aSyncOlderThanAReadTheClientAlreadySawDoesNotUndoIt() {
        tracker.synced(sync(3, row(C, 3, 0, 3, 100)));
        tracker.readAcked(C, 3, 300);
        assertEquals(0, unread(C));

        tracker.synced(sync(3, row(C, 3, 0, 3, 250))); // built before the READ

        assertEquals(0, unread(C));
        assertEquals(3, tracker.state(C).orElseThrow().readSeq());
        assertEquals(0, tracker.totalUnread(), "the stale answer's total counted those 3 too");
    }

    @Test
    void aReadAckBeyondTheNewestKnownMessageOnlyReadsWhatTheClientKnows() {
        tracker.delivered(message(C, 1, PEER));
        tracker.readAcked(C, 1000, 100); // the server clamps it to its newest seq too

        tracker.delivered(message(C, 2, PEER));

        assertEquals(1, unread(C), "a message after the read is unread, as it is on the server");
    }

    @Test
    void messagesPushedAfterTheSyncAnswerWasBuiltStayCountedWhenItArrivesLate() {
        tracker.synced(sync(1, row(C, 5, 4, 1, 100)));
        tracker.delivered(message(C, 6, PEER)); // pushed before the next answer, which predates it

        tracker.synced(sync(1, row(C, 5, 4, 1, 150)));

        assertEquals(2, unread(C));
        assertEquals(2, tracker.totalUnread());
    }

    @Test
    void aRecallOfAnUnreadMessageTakesItAwayOnceAndIsReported() {
        tracker.synced(sync(0, row(C, 2, 2, 0, 100)));
        tracker.delivered(message(C, 3, PEER));
        tracker.delivered(message(C, 4, PEER));

        tracker.notice(recall(C, 3, PEER));
        tracker.notice(recall(C, 3, PEER));

        assertEquals(1, unread(C));
        assertEquals(1, tracker.totalUnread());
        assertEquals(List.of(new RecalledMessage(C, 3, 1003, PEER, 900)), recalls);
    }

    @Test
    void aRecallOfAMessageTheSyncCountedWithoutNamingItTakesOneAway() {
        tracker.synced(sync(3, row(C, 10, 7, 3, 100)));

        tracker.notice(recall(C, 9, PEER));

        assertEquals(2, unread(C));
        assertEquals(2, tracker.totalUnread());
    }

    @Test
    void aRecallOfAReadMessageChangesNoCountButIsStillReported() {
        tracker.delivered(message(C, 1, PEER));
        tracker.readAcked(C, 1, 100);

        tracker.notice(recall(C, 1, PEER));

        assertEquals(0, unread(C));
        assertEquals(1, recalls.size());
    }

    @Test
    void aRecalledMessageThatArrivesLaterDoesNotCount() {
        tracker.notice(recall(C, 1, PEER)); // the notice can overtake the catch-up PULL

        tracker.delivered(message(C, 1, PEER));

        assertEquals(0, unread(C));
    }

    @Test
    void aSyncShowingTheNewestHeldMessageRecalledReportsItWhileOneNotHeldYetIsNot() {
        tracker.delivered(message(C, 1, PEER));
        Message placeholder = message(C, 1, PEER).toBuilder().setStatus(MessageStatus.RECALLED)
                .setContent(MessageContent.newBuilder().setType(MessageType.TEXT)).setVersion(900).build();

        tracker.synced(sync(0, row(C, 1, 0, 0, 100).setLastMessage(placeholder)));
        tracker.synced(sync(0, row(C, 1, 0, 0, 100).setLastMessage(placeholder))); // re-sent rows

        assertEquals(List.of(new RecalledMessage(C, 1, 1001, 0, 900)), recalls);
        assertEquals(0, unread(C));

        Message notHeld = message(G, 3, PEER).toBuilder().setStatus(MessageStatus.RECALLED).build();
        tracker.synced(sync(0, row(G, 3, 0, 0, 100).setLastMessage(notHeld)));
        assertEquals(1, recalls.size(), "the PULL will deliver that placeholder as a message");
    }

    @Test
    void mutedConversationsCountForThemselvesButNotInTheTotal() {
        tracker.synced(sync(0, row(G, 3, 3, 0, 100).setMuted(true)));

        tracker.delivered(message(G, 4, PEER));

        assertEquals(1, unread(G));
        assertEquals(0, tracker.totalUnread());
    }

    @Test
    void receiptsMoveOnlyForwardBetweenSyncsAndASyncResetsThemToTheServersValue() {
        tracker.notice(notice(NoticeType.NOTICE_PEER_READ, C, 5, PEER, 0));
        tracker.notice(notice(NoticeType.NOTICE_PEER_READ, C, 3, PEER, 0)); // late, older

        assertEquals(5, tracker.state(C).orElseThrow().peerReadSeq());
        assertEquals(List.of("peer-read s_7_8 8 5"), events);

        tracker.synced(sync(0, row(C, 5, 5, 0, 100).setPeerReadSeq(0))); // the peer turned receipts off
        assertEquals(0, tracker.state(C).orElseThrow().peerReadSeq());
    }

    @Test
    void anUnknownNoticeTypeIsIgnored() {
        tracker.notice(Notice.newBuilder().setTypeValue(99).setConversationId(C).setSeq(4).build());

        assertTrue(events.isEmpty());
        assertTrue(recalls.isEmpty());
    }

    // ---- helpers

    private long unread(String conversationId) {
        return tracker.state(conversationId).orElseThrow().unreadCount();
    }

    private static SyncAck sync(long total, ConversationInfo.Builder... rows) {
        SyncAck.Builder ack = SyncAck.newBuilder().setTotalUnread(total).setVersion(1000);
        for (ConversationInfo.Builder r : rows) {
            ack.addConversations(r);
        }
        return ack.build();
    }

    private static ConversationInfo.Builder row(String id, long lastSeq, long readSeq, long unread, long version) {
        return ConversationInfo.newBuilder().setConversationId(id).setLastSeq(lastSeq).setReadSeq(readSeq)
                .setUnreadCount(unread).setVersion(version);
    }

    private static Message message(String conversationId, long seq, long sender) {
        return Message.newBuilder().setConversationId(conversationId).setSeq(seq).setSenderUid(sender)
                .setMsgId(1000 + seq).setContent(MessageContent.newBuilder().setType(MessageType.TEXT)
                        .setText("m" + seq)).build();
    }

    private static Notice notice(NoticeType type, String conversationId, long seq, long uid, long version) {
        return Notice.newBuilder().setType(type).setConversationId(conversationId).setSeq(seq).setUid(uid)
                .setVersion(version).build();
    }

    private static Notice recall(String conversationId, long seq, long by) {
        return Notice.newBuilder().setType(NoticeType.NOTICE_RECALLED).setConversationId(conversationId).setSeq(seq)
                .setUid(by).setVersion(900).setMsgId(1000 + seq).build();
    }
}
