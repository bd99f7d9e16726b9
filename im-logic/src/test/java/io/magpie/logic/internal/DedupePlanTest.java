package io.magpie.logic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.magpie.das.MessageRecord;
import io.magpie.das.SenderClientKey;
import io.magpie.logic.internal.DedupePlan.Conflict;
import io.magpie.logic.internal.DedupePlan.Fresh;
import io.magpie.logic.internal.DedupePlan.SameAs;
import io.magpie.logic.internal.DedupePlan.Stored;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DedupePlanTest {

    @Test
    void newSendsAreFreshInBatchOrder() {
        SendCommand a = Sends.command(1, 2, "a");
        SendCommand b = Sends.command(1, 2, "b");

        DedupePlan plan = DedupePlan.of(List.of(a, b), Map.of());

        assertEquals(List.of(a, b), plan.fresh());
        assertInstanceOf(Fresh.class, plan.slots().get(0));
        assertInstanceOf(Fresh.class, plan.slots().get(1));
    }

    @Test
    void aResendOfAStoredMessageGetsTheStoredRow() {
        SendCommand resent = Sends.command(1, 2, "a");
        MessageRecord original = new MessageRecord(900, "s_1_2", 1, 5, 900, 1, "dev-1", "a", 1, new byte[0], 0, 10);

        DedupePlan plan = DedupePlan.of(List.of(resent), Map.of(new SenderClientKey(1, "a"), original));

        Stored s = assertInstanceOf(Stored.class, plan.slots().get(0));
        assertSame(original, s.record());
        assertEquals(List.of(), plan.fresh());
    }

    @Test
    void theSameKeyTwiceInABatchIsStoredOnce() {
        SendCommand first = Sends.command(1, 2, "a");
        SendCommand other = Sends.command(1, 2, "b");
        SendCommand again = Sends.command(1, 2, "a");

        DedupePlan plan = DedupePlan.of(List.of(first, other, again), Map.of());

        assertEquals(List.of(first, other), plan.fresh());
        SameAs dup = assertInstanceOf(SameAs.class, plan.slots().get(2));
        assertEquals(0, dup.firstIndex());
        assertSame(again, dup.command());
    }

    @Test
    void theSameClientIdFromTwoSendersIsTwoMessages() {
        SendCommand fromOne = Sends.command(1, 3, "a");
        SendCommand fromTwo = Sends.command(2, 3, "a");

        DedupePlan plan = DedupePlan.of(List.of(fromOne, fromTwo), Map.of());

        assertEquals(List.of(fromOne, fromTwo), plan.fresh());
    }

    @Test
    void aStoredIdResentToAnotherPeerOrAGroupIsAConflictNotAResend() {
        MessageRecord toBob = new MessageRecord(900, "s_1_2", 1, 5, 900, 1, "dev-1", "x", 1, new byte[0], 0, 10);
        SendCommand toCarol = Sends.command(1, 3, "x");
        SendCommand toGroup = Sends.groupCommand(1, 2, "x");

        DedupePlan plan = DedupePlan.of(List.of(toCarol, toGroup), Map.of(new SenderClientKey(1, "x"), toBob));

        assertEquals("s_1_2", assertInstanceOf(Conflict.class, plan.slots().get(0)).claimedBy());
        assertEquals("s_1_2", assertInstanceOf(Conflict.class, plan.slots().get(1)).claimedBy());
        assertEquals(List.of(), plan.fresh());
    }

    @Test
    void aGroupIdResentAsOneToOneIsAConflict() {
        MessageRecord inGroup = new MessageRecord(901, "g_7", 2, 3, 901, 1, "dev-1", "y", 1, new byte[0], 0, 10);

        DedupePlan plan = DedupePlan.of(List.of(Sends.command(1, 7, "y")), Map.of(new SenderClientKey(1, "y"), inGroup));

        assertEquals("g_7", assertInstanceOf(Conflict.class, plan.slots().get(0)).claimedBy());
    }

    @Test
    void theSameNewIdForTwoConversationsInOneBatchStoresOnlyTheFirst() {
        SendCommand first = Sends.command(1, 2, "z");
        SendCommand elsewhere = Sends.groupCommand(1, 9, "z");

        DedupePlan plan = DedupePlan.of(List.of(first, elsewhere), Map.of());

        assertEquals(List.of(first), plan.fresh());
        assertEquals("s_1_2", assertInstanceOf(Conflict.class, plan.slots().get(1)).claimedBy());
    }
}
