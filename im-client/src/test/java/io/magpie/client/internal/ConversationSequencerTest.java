package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.InMemoryClientState;
import io.magpie.client.internal.ConversationSequencer.PullRange;
import io.magpie.protocol.proto.ConversationInfo;
import io.magpie.protocol.proto.Message;
import io.magpie.protocol.proto.MessageStatus;
import io.magpie.protocol.proto.PullAck;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The ordering rules without any I/O: what is delivered, in which order, and which ranges are pulled. */
class ConversationSequencerTest {

    private static final String C = "s_1_2";

    private final InMemoryClientState state = new InMemoryClientState();
    private final List<String> delivered = new ArrayList<>();
    private final ConversationSequencer.Output out = m -> delivered.add(m.getConversationId() + "#" + m.getSeq()
            + (m.getStatus() == MessageStatus.NORMAL ? "" : "/" + m.getStatus()));
    private ConversationSequencer seq = new ConversationSequencer(state);

    private static Message msg(String conv, long s) {
        return Message.newBuilder().setConversationId(conv).setSeq(s).build();
    }

    private static List<Message> msgs(String conv, long... seqs) {
        List<Message> list = new ArrayList<>();
        for (long s : seqs) {
            list.add(msg(conv, s));
        }
        return list;
    }

    private static PullAck page(boolean more, String conv, long... seqs) {
        return PullAck.newBuilder().setConversationId(conv).addAllMessages(msgs(conv, seqs)).setHasMore(more).build();
    }

    private static ConversationInfo info(String conv, long lastSeq, long clearedSeq) {
        return ConversationInfo.newBuilder().setConversationId(conv).setLastSeq(lastSeq).setClearedSeq(clearedSeq)
                .build();
    }

    /** A client that completed a sync listing nothing: every unknown conversation is new. */
    private void synced() {
        seq.syncStarted();
        seq.syncFinished(true, out);
    }

    @Test
    void inOrderMessagesAreDeliveredAndRepeatsSuppressed() {
        synced();

        assertEquals(List.of(), seq.pushed(msgs(C, 1, 2), out));
        assertEquals(List.of(), seq.pushed(msgs(C, 2, 3), out));

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), delivered);
        assertEquals(1, seq.duplicates());
        assertEquals(OptionalLong.of(3), state.lastDelivered(C));
    }

    @Test
    void messagesOfOnePushAreDeliveredInSeqOrderWhateverTheirOrderInIt() {
        synced();

        seq.pushed(msgs(C, 3, 1, 2), out);

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), delivered);
    }

    @Test
    void aGapIsPulledThenThePulledAndTheHeldMessagesAreDeliveredInOrder() {
        synced();
        seq.pushed(msgs(C, 1, 2), out);

        List<PullRange> pulls = seq.pushed(msgs(C, 6, 5), out);

        assertEquals(List.of(new PullRange(C, 3, 4)), pulls);
        assertEquals(List.of(C + "#1", C + "#2"), delivered, "5 and 6 wait for the gap");
        assertEquals(List.of(), seq.pushed(msgs(C, 7), out), "one pull per conversation at a time");

        assertEquals(List.of(), seq.pulled(new PullRange(C, 3, 4), page(false, C, 3, 4), out));

        assertEquals(List.of(C + "#1", C + "#2", C + "#3", C + "#4", C + "#5", C + "#6", C + "#7"), delivered);
        assertEquals(0, seq.openConversations(), "nothing left waiting");
    }

    @Test
    void aLongGapIsPulledPageByPage() {
        synced();
        seq.pushed(msgs(C, 1), out);
        assertEquals(List.of(new PullRange(C, 2, 9)), seq.pushed(msgs(C, 10), out));

        List<PullRange> next = seq.pulled(new PullRange(C, 2, 9), page(true, C, 2, 3, 4), out);

        assertEquals(List.of(new PullRange(C, 5, 9)), next);
        assertEquals(List.of(), seq.pulled(next.get(0), page(false, C, 5, 6, 7, 8, 9), out));
        assertEquals(10, delivered.size());
        assertEquals(C + "#10", delivered.get(9));
    }

    @Test
    void seqsTheServerDoesNotReturnInACompleteRangeAreSkipped() {
        synced();
        seq.pushed(msgs(C, 1), out);
        seq.pushed(msgs(C, 6), out);

        // 2 and 3 are below the user's cleared seq, say: the answer is complete without them
        seq.pulled(new PullRange(C, 2, 5), page(false, C, 4, 5), out);

        assertEquals(List.of(C + "#1", C + "#4", C + "#5", C + "#6"), delivered);
        assertEquals(OptionalLong.of(6), state.lastDelivered(C));
    }

    @Test
    void thisDevicesOwnMessageTakesItsSeqWithoutBeingDelivered() {
        synced();
        seq.pushed(msgs(C, 1), out);

        seq.sent(C, 2, out);
        seq.pushed(msgs(C, 3), out);
        // a gap before an own message: the pull returns the own message too, it is still not delivered
        List<PullRange> pulls = seq.sent(C, 6, out);
        assertEquals(List.of(new PullRange(C, 4, 5)), pulls);
        seq.pulled(pulls.get(0), page(false, C, 4, 5), out);
        seq.pushed(msgs(C, 7), out);

        assertEquals(List.of(C + "#1", C + "#3", C + "#4", C + "#5", C + "#7"), delivered);
    }

    @Test
    void aRecallOfADeliveredMessageIsDeliveredAsAnUpdate() {
        synced();
        seq.pushed(msgs(C, 1), out);

        seq.pushed(List.of(msg(C, 1).toBuilder().setStatus(MessageStatus.RECALLED).build()), out);

        assertEquals(List.of(C + "#1", C + "#1/RECALLED"), delivered);
    }

    @Test
    void withoutAnySyncTheFirstSeqSeenIsTheStart() {
        seq.pushed(msgs(C, 7), out);
        seq.pushed(msgs(C, 8), out);

        assertEquals(List.of(C + "#7", C + "#8"), delivered);
    }

    @Test
    void afterASyncAConversationItDidNotListIsNewSoItsEarlierSeqsArePulled() {
        synced();

        assertEquals(List.of(new PullRange(C, 1, 2)), seq.pushed(msgs(C, 3), out));
    }

    @Test
    void duringTheFirstSyncUnknownConversationsWaitForIt() {
        seq.syncStarted();

        assertEquals(List.of(), seq.pushed(msgs(C, 5), out));
        assertEquals(List.of(), delivered);
        // the sync lists it: known from seq 0 (nothing cleared), the last one is 5
        List<PullRange> pulls = new ArrayList<>(seq.synced(List.of(info(C, 5, 0)), out));
        pulls.addAll(seq.syncFinished(true, out));

        assertEquals(List.of(new PullRange(C, 1, 4)), pulls);
        seq.pulled(pulls.get(0), page(false, C, 1, 2, 3, 4), out);
        assertEquals(List.of(C + "#1", C + "#2", C + "#3", C + "#4", C + "#5"), delivered);
    }

    @Test
    void aSyncCatchesUpKnownConversationsFromWhereTheyAreAndSkipsClearedHistory() {
        synced();
        seq.pushed(msgs(C, 1, 2), out);

        seq.syncStarted();
        List<PullRange> pulls = seq.synced(List.of(info(C, 5, 0), info("g_9", 30, 20)), out);

        assertEquals(List.of(new PullRange(C, 3, 5), new PullRange("g_9", 21, 30)), pulls);
    }

    @Test
    void aFailedPullIsAskedForAgainOnResume() {
        synced();
        seq.pushed(msgs(C, 1), out);
        PullRange gap = seq.pushed(msgs(C, 4), out).get(0);

        seq.pullFailed(gap);

        assertEquals(List.of(gap), seq.resume(C, out));
    }

    @Test
    void positionsSurviveInTheStateSoANewSequencerSuppressesWhatWasDelivered() {
        synced();
        seq.pushed(msgs(C, 1, 2), out);

        seq = new ConversationSequencer(state); // e.g. the app restarted with a persistent state
        seq.pushed(msgs(C, 2, 3), out);

        assertEquals(List.of(C + "#1", C + "#2", C + "#3"), delivered);
        assertTrue(seq.duplicates() >= 1);
    }
}
