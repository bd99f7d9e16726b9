package io.magpie.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeliveryDeduplicatorTest {

    private final DeliveryDeduplicator dedup = new DeliveryDeduplicator(3);

    @Test
    void theSameSeqIsDeliveredOnce() {
        assertTrue(dedup.firstDelivery("s_1_2", 1));
        assertFalse(dedup.firstDelivery("s_1_2", 1));
        assertTrue(dedup.firstDelivery("s_1_2", 2));
        assertFalse(dedup.firstDelivery("s_1_2", 2));
        assertFalse(dedup.firstDelivery("s_1_2", 1));
        assertEquals(2, dedup.highestDelivered("s_1_2"));
    }

    @Test
    void conversationsAreIndependent() {
        assertTrue(dedup.firstDelivery("s_1_2", 5));
        assertTrue(dedup.firstDelivery("g_9", 5));
        assertFalse(dedup.firstDelivery("g_9", 5));
    }

    @Test
    void aMissedSeqThatArrivesLateIsStillDeliveredOnce() {
        assertTrue(dedup.firstDelivery("g_9", 10));
        assertTrue(dedup.firstDelivery("g_9", 12));

        assertTrue(dedup.firstDelivery("g_9", 11), "11's push was lost and resent after 12");
        assertFalse(dedup.firstDelivery("g_9", 11));
        assertFalse(dedup.firstDelivery("g_9", 10));
        assertFalse(dedup.firstDelivery("g_9", 12));
    }

    @Test
    void seqsFarBelowTheHighestAreTreatedAsDelivered() {
        assertTrue(dedup.firstDelivery("g_9", 100));
        assertTrue(dedup.firstDelivery("g_9", 100 + DeliveryDeduplicator.WINDOW));

        assertFalse(dedup.firstDelivery("g_9", 100), "out of the window: assumed delivered");
        assertFalse(dedup.firstDelivery("g_9", 99));
        assertTrue(dedup.firstDelivery("g_9", 101), "inside the window and never seen");
    }

    @Test
    void aBigJumpResetsTheWindow() {
        assertTrue(dedup.firstDelivery("g_9", 1));
        assertTrue(dedup.firstDelivery("g_9", 1000));

        assertTrue(dedup.firstDelivery("g_9", 999));
        assertFalse(dedup.firstDelivery("g_9", 1000));
    }

    @Test
    void messagesWithoutASeqAreAlwaysDelivered() {
        assertTrue(dedup.firstDelivery("s_1_2", 0));
        assertTrue(dedup.firstDelivery("s_1_2", 0));
    }

    @Test
    void memoryIsBoundedByForgettingTheLeastRecentConversation() {
        dedup.firstDelivery("a", 1);
        dedup.firstDelivery("b", 1);
        dedup.firstDelivery("c", 1);
        dedup.firstDelivery("a", 2); // a is now the most recent

        dedup.firstDelivery("d", 1); // evicts b

        assertEquals(0, dedup.highestDelivered("b"));
        assertEquals(2, dedup.highestDelivered("a"));
        assertFalse(dedup.firstDelivery("c", 1));
    }
}
