package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MessageTrackerTest {

    private static final long MS = 1_000_000;

    @Test
    void anAckedMessageNobodyReceivedIsLostAndOneReceivedIsNot() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(0);
        MessageTracker.Track delivered = t.register(1, 0, 10 * MS, 1);
        MessageTracker.Track lost = t.register(2, 0, 10 * MS, 1);
        t.onSent(delivered, 10 * MS);
        t.onSent(lost, 10 * MS);
        t.onAck(delivered, 12 * MS);
        t.onAck(lost, 12 * MS);
        assertTrue(t.onDelivered(1, 13 * MS));

        assertEquals(1, t.outstanding());
        MessageTracker.Loss loss = t.loss();
        assertEquals(1, loss.lostMessages());
        assertEquals(1, loss.missingDeliveries());
        assertEquals(1, t.deliveries());
    }

    @Test
    void aGroupMessageIsFullyDeliveredOnlyWhenEveryMemberGotIt() {
        List<Long> settled = new ArrayList<>();
        MessageTracker t = new MessageTracker(tr -> settled.add(tr.key()));
        t.startWindow(0);
        MessageTracker.Track tr = t.register(7, 0, 0, 3);
        t.onAck(tr, 1 * MS);
        t.onDelivered(7, 2 * MS);
        t.onDelivered(7, 3 * MS);
        assertEquals(1, t.loss().lostMessages());
        assertEquals(1, t.loss().missingDeliveries());
        assertTrue(settled.isEmpty());
        t.onDelivered(7, 5 * MS);
        assertEquals(0, t.loss().lostMessages());
        assertEquals(List.of(7L), settled);
        // the last member's latency is from the origin to the third delivery
        assertEquals(5.0, t.lastDeliveryLatency().total().getMaxValue() / 1000.0, 0.01);
        assertEquals(3, t.deliveryLatency().total().getTotalCount());
    }

    @Test
    void onlyMessagesWhoseOriginIsInTheWindowAreMeasured() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(100 * MS);
        MessageTracker.Track warmup = t.register(1, 0, 50 * MS, 1);
        MessageTracker.Track measured = t.register(2, 0, 150 * MS, 1);
        t.onAck(warmup, 60 * MS);
        t.onAck(measured, 160 * MS);
        t.onDelivered(1, 120 * MS); // delivered inside the window: counts for throughput, not latency
        t.onDelivered(2, 170 * MS);
        t.endWindow(200 * MS);
        assertEquals(1, t.deliveryLatency().total().getTotalCount());
        assertEquals(2, t.deliveriesInWindow());
    }

    @Test
    void aTimedOutSendIsATimeoutAndAnyOtherFailureAnErrorNeitherIsLost() {
        List<Long> settled = new ArrayList<>();
        MessageTracker t = new MessageTracker(tr -> settled.add(tr.key()));
        MessageTracker.Track a = t.register(1, 0, 0, 1);
        MessageTracker.Track b = t.register(2, 0, 0, 1);
        t.onSendFailed(a, new CompletionException(new RequestTimeoutException("no SEND_ACK")));
        t.onSendFailed(b, new IllegalStateException("refused"));
        assertEquals(1, t.timeouts());
        assertEquals(1, t.errors());
        assertEquals(Map.of("IllegalStateException", 1L), t.errorCodes().snapshot().counts(),
                "the timeout is not an error");
        assertEquals(0, t.loss().lostMessages());
        assertEquals(2, t.loss().unackedUndelivered());
        assertEquals(0, t.outstanding());
        assertEquals(List.of(1L, 2L), settled);
    }

    @Test
    void sendErrorsAreCountedByTheServersErrorCode() {
        MessageTracker t = new MessageTracker(null);
        for (int i = 0; i < 5; i++) {
            MessageTracker.Track tr = t.register(i, 0, 0, 1);
            ErrorCode code = i < 3 ? ErrorCode.SERVER_BUSY : ErrorCode.RATE_LIMITED;
            t.onSendFailed(tr, new CompletionException(new MagpieErrorException(code, code + " " + i, true)));
        }
        assertEquals(5, t.errors());
        assertEquals("SERVER_BUSY 3, RATE_LIMITED 2", t.errorCodes().snapshot().readable());
        assertEquals("SERVER_BUSY 0", t.errorCodes().firstMessages().get("SERVER_BUSY"));
    }

    @Test
    void aSweepSettlesAMessageNotDeliveredInTimeOnceAndALateDeliveryStillCounts() {
        List<Long> settled = new ArrayList<>();
        MessageTracker t = new MessageTracker(tr -> settled.add(tr.key()));
        t.startWindow(0);
        MessageTracker.Track tr = t.register(1, 0, 0, 1);
        t.onAck(tr, 1 * MS);
        assertEquals(0, t.sweep(5 * MS, 10 * MS));
        assertEquals(1, t.sweep(11 * MS, 10 * MS));
        assertEquals(0, t.sweep(20 * MS, 10 * MS), "settled once");
        assertEquals(1, t.timeouts());
        assertEquals(List.of(1L), settled);
        t.onDelivered(1, 30 * MS);
        assertEquals(0, t.loss().lostMessages());
    }

    @Test
    void strayAndDuplicateDeliveriesAreCountedNotTrusted() {
        MessageTracker t = new MessageTracker(null);
        MessageTracker.Track tr = t.register(1, 0, 0, 1);
        assertFalse(t.onDelivered(99, 1));
        assertTrue(t.onDelivered(1, 1));
        assertFalse(t.onDelivered(1, 2));
        t.onAck(tr, 3);
        assertEquals(2, t.unexpectedDeliveries());
        assertEquals(1, t.deliveries());
    }
}
