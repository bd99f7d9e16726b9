package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConversationState;
import io.magpie.client.MessageListener;
import io.magpie.client.RecalledMessage;
import io.magpie.protocol.proto.ActionAck;
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

/** The client's unread bookkeeping between SYNCs, as docs/PROTOCOL.md §9.9-§9.12 describe it. */
class ReadStateTrackerTest {

    private static final long ME = 7;
    private static final long PEER = 8;
    private static final String C = "s_7_8";
    private static final String G = "g_5";

    private final List<String> events = new ArrayList<>();
    private final List<RecalledMessage> recalls = new ArrayList<>();
    private final List<String> deletions = new ArrayList<>();
    private final List<String> cleared = new ArrayList<>();
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
        public void onDeleted(String conversationId, List<Long> seqs) {
            deletions.add("deleted " + conversationId + " " + seqs);
        }

        @Override
        public void onCleared(String conversationId, long clearedSeq) {
            cleared.add("cleared " + conversationId + " " + clearedSeq);
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

        assertEquals(new ConversationState(C, 7, 3, 9, 10, false, 0, false, 0), tracker.state(C).orElseThrow());
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

        tracker.notice(readNotice(6, 2, 200));

        assertEquals(2, unread(C), "7 and 8 are still unread");
        assertEquals(6, tracker.state(C).orElseThrow().readSeq());
        assertEquals(List.of("unread s_7_8 2/2", "read s_7_8 6"), events);

        tracker.notice(notice(NoticeType.NOTICE_READ, C, 6, ME, 200)); // the same notice again
        tracker.notice(notice(NoticeType.NOTICE_READ, C, 5, ME, 150)); // an older one, late
        assertEquals(2, unread(C));
        assertEquals(2, events.size(), "nothing moved, nothing reported");
    }

    @Test
    void noticeReadOfPartOfWhatTheSyncCountedSetsTheExactCountItCarries() {
        tracker.synced(sync(5, row(C, 10, 2, 5, 100)));

        tracker.notice(readNotice(8, 1, 200));
        assertEquals(1, unread(C), "the server's count: seq 9 or 10 was recalled before");

        tracker.notice(readNotice(10, 0, 300));
        assertEquals(0, unread(C));
        assertEquals(0, tracker.totalUnread());
    }

    @Test
    void aSyncOlderThanAReadTheClientAlreadySawDoesNotUndoIt() {
        tracker.synced(sync(3, row(C, 3, 0, 3, 100)));
        tracker.readAcked(C, 3, readAck(3, 0, 300));
        assertEquals(0, unread(C));

        tracker.synced(sync(3, row(C, 3, 0, 3, 250))); // built before the READ

        assertEquals(0, unread(C));
        assertEquals(3, tracker.state(C).orElseThrow().readSeq());
        assertEquals(0, tracker.totalUnread(), "the stale answer's total counted those 3 too");
    }

    @Test
    void aReadAckBeyondTheNewestMessageTakesThePositionTheServerStored() {
        tracker.delivered(message(C, 1, PEER));
        tracker.readAcked(C, 1000, readAck(1, 0, 100)); // the server clamped it to its newest seq

        assertEquals(1, tracker.state(C).orElseThrow().readSeq());
        tracker.delivered(message(C, 2, PEER));

        assertEquals(1, unread(C), "a message after the read is unread, as it is on the server");
    }

    @Test
    void aReadOfPartOfWhatTheSyncCountedTakesTheServersExactCountNotAnEstimate() {
        tracker.synced(sync(5, row(C, 10, 2, 5, 100))); // 5 unread: three of 3-10 were recalled before

        tracker.readAcked(C, 6, readAck(6, 2, 200));

        assertEquals(2, unread(C), "the server's count, not the 4 positions above 6");
        assertEquals(6, tracker.state(C).orElseThrow().readSeq());
        assertEquals(2, tracker.totalUnread());
    }

    @Test
    void aMessagePushedWhileTheReadWasOnItsWayStillCountsWhateverTheAckIncluded() {
        tracker.synced(sync(0, row(C, 4, 4, 0, 100)));
        tracker.delivered(message(C, 5, PEER));
        tracker.delivered(message(C, 6, PEER)); // stored after the READ of 5 was applied, pushed before its ack

        tracker.readAcked(C, 5, readAck(5, 0, 200));
        assertEquals(1, unread(C), "6 is above the stored position");

        tracker.notice(readNotice(5, 1, 200)); // the same read seen from another device's count, which included 6
        assertEquals(1, unread(C), "counted once");
    }

    @Test
    void aReadAckWithoutAStoredSeqFallsBackToTheNewestKnownMessage() {
        tracker.delivered(message(C, 1, PEER));
        tracker.readAcked(C, 1000, ActionAck.newBuilder().setConversationId(C).setVersion(100).build());

        assertEquals(1, tracker.state(C).orElseThrow().readSeq(), "an older server's READ_ACK carries no seq");
        assertEquals(0, unread(C));
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
        assertEquals(List.of(new RecalledMessage(C, 3, 1003, PEER, 900, PEER)), recalls);
    }

    @Test
    void aRecallOfAMessageTheSyncCountedWithoutNamingItTakesOneAway() {
        tracker.synced(sync(3, row(C, 10, 7, 3, 100)));

        tracker.notice(recall(C, 9, PEER));

        assertEquals(2, unread(C));
        assertEquals(2, tracker.totalUnread());
    }

    @Test
    void anAdminsRecallOfTheUsersOwnMessageAboveAnUnreadSyncCountTakesNothingAway() {
        tracker.synced(sync(2, row(G, 10, 8, 2, 100))); // 9 and 10 unread
        tracker.notice(Notice.newBuilder().setType(NoticeType.NOTICE_RECALLED).setConversationId(G).setSeq(7)
                .setUid(PEER).setSenderUid(ME).setVersion(900).setMsgId(1007).build());

        assertEquals(2, unread(G), "7 was read anyway");
        assertEquals(ME, recalls.get(0).senderUid());
        assertEquals(PEER, recalls.get(0).recalledBy());
    }

    @Test
    void aRecallOfAReadMessageChangesNoCountButIsStillReported() {
        tracker.delivered(message(C, 1, PEER));
        tracker.readAcked(C, 1, readAck(1, 0, 100));

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

        assertEquals(List.of(new RecalledMessage(C, 1, 1001, 0, 900, PEER)), recalls);
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

    @Test
    void noticeDeletedReportsTheNewSeqsOnceAndTakesUnreadOnesAway() {
        tracker.synced(sync(3, row(C, 10, 7, 3, 100))); // 8, 9, 10 unread, unnamed
        tracker.delivered(message(C, 11, PEER));
        assertEquals(4, unread(C));

        tracker.notice(deletedNotice(C, 200, 3, 9, 11));
        tracker.notice(deletedNotice(C, 200, 9, 11)); // the same again

        assertEquals(List.of("deleted s_7_8 [3, 9, 11]"), deletions);
        assertEquals(2, unread(C), "9 (counted by the SYNC) and 11 (counted here) went; 3 was read");
        assertEquals(2, tracker.totalUnread());
        assertEquals(200, tracker.rowVersion(C));
    }

    @Test
    void thisDevicesOwnDeleteCountsButIsNotReportedAndAPlaceholderArrivingLaterDoesNotCount() {
        tracker.synced(sync(0, row(C, 2, 2, 0, 100)));
        tracker.deleteAcked(C, List.of(3L), 150); // deleted before this device got it (another device showed it)

        tracker.delivered(message(C, 3, PEER).toBuilder().setStatus(MessageStatus.DELETED).build());
        tracker.delivered(message(C, 4, PEER));

        assertTrue(deletions.isEmpty());
        assertEquals(1, unread(C), "only 4");
    }

    @Test
    void noticeClearedDropsWhatItCoversAndIsReported() {
        tracker.synced(sync(2, row(C, 6, 4, 2, 100))); // 5, 6 unread
        tracker.delivered(message(C, 7, PEER));
        tracker.delivered(message(C, 8, PEER));

        tracker.notice(Notice.newBuilder().setType(NoticeType.NOTICE_CLEARED).setConversationId(C).setSeq(8)
                .setVersion(300).build());

        assertEquals(List.of("cleared s_7_8 8"), cleared);
        assertEquals(0, unread(C));
        assertEquals(0, tracker.totalUnread());
        assertEquals(8, tracker.state(C).orElseThrow().clearedSeq());
        tracker.delivered(message(C, 9, PEER));
        assertEquals(1, unread(C));
    }

    @Test
    void aClearOfPartOfWhatTheSyncCountedLeavesAtMostWhatCanLieAboveIt() {
        tracker.synced(sync(5, row(C, 10, 2, 5, 100)));

        tracker.clearAcked(C, 8, 200);

        assertEquals(2, unread(C), "only seqs 9 and 10 can still be unread");
        assertTrue(cleared.isEmpty(), "this device's own clear is not reported");
    }

    @Test
    void aSyncShowsTheListSettingsAndReportsAClearMadeWhileAwayOnlyWhenTheAppHeldSomeOfIt() {
        tracker.delivered(message(C, 1, PEER));
        tracker.delivered(message(C, 2, PEER));

        tracker.synced(sync(0, row(C, 2, 0, 0, 100).setClearedSeq(2).setPinnedAt(5000).setDeleted(true)));
        tracker.synced(sync(0, row(G, 4, 0, 0, 100).setClearedSeq(4))); // nothing of it held

        assertEquals(new ConversationState(C, 0, 0, 0, 2, false, 5000, true, 2), tracker.state(C).orElseThrow());
        assertEquals(List.of("cleared s_7_8 2"), cleared);
    }

    @Test
    void theCatchUpAfterAReconnectReportsRecallsAndDeletionsOfHeldMessagesOnly() {
        for (long seq = 1; seq <= 4; seq++) {
            tracker.delivered(message(C, seq, PEER));
        }
        tracker.readAcked(C, 4, readAck(4, 0, 100));
        Message recalledOld = message(C, 2, PEER).toBuilder().setStatus(MessageStatus.RECALLED).setVersion(500).build();
        Message deletedOld = message(C, 3, PEER).toBuilder().setStatus(MessageStatus.DELETED).setVersion(600).build();
        Message recalledNew = message(C, 6, PEER).toBuilder().setStatus(MessageStatus.RECALLED).setVersion(700).build();

        tracker.caughtUp(C, List.of(message(C, 5, PEER), recalledOld, deletedOld, recalledNew), 4);
        tracker.caughtUp(C, List.of(recalledOld, deletedOld), 4); // a page asked again

        assertEquals(List.of(new RecalledMessage(C, 2, 1002, 0, 500, PEER)), recalls);
        assertEquals(List.of("deleted s_7_8 [3]"), deletions);
        assertEquals(0, unread(C));
    }

    // ---- helpers

    private static ActionAck readAck(long storedSeq, long unread, long version) {
        return ActionAck.newBuilder().setConversationId(C).setSeq(storedSeq).setUnreadCount(unread)
                .setVersion(version).build();
    }

    private static Notice readNotice(long seq, long unread, long version) {
        return Notice.newBuilder().setType(NoticeType.NOTICE_READ).setConversationId(C).setSeq(seq).setUid(ME)
                .setUnreadCount(unread).setVersion(version).build();
    }

    private static Notice deletedNotice(String conversationId, long version, long... seqs) {
        Notice.Builder notice = Notice.newBuilder().setType(NoticeType.NOTICE_DELETED).setConversationId(conversationId)
                .setUid(ME).setVersion(version);
        for (long seq : seqs) {
            notice.addSeqs(seq);
        }
        return notice.build();
    }

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
                .setUid(by).setSenderUid(by).setVersion(900).setMsgId(1000 + seq).build();
    }
}
