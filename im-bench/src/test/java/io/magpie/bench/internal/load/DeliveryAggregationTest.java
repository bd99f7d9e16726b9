package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** How lean receiver processes' deliveries become "latency to the last member", deliveries/s and losses. */
class DeliveryAggregationTest {

    private static final long MS = 1_000_000;

    @Test
    void theLastMemberIsTheLatestArrivalOverEveryProcessWhateverOrderTheDeltasComeIn() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(0);
        MessageTracker.Track tr = t.register(5, 0, 100 * MS, 6);
        t.onSent(tr, 100 * MS);
        t.onAck(tr, 104 * MS);
        // process A's delta holds the latest arrival but is read first; process B's delta completes the message
        assertEquals(3, t.onDeliveries(5, 3, 130 * MS));
        assertEquals(2, t.onDeliveries(5, 2, 110 * MS));
        assertEquals(1, t.outstanding());
        assertEquals(1, t.onDeliveries(5, 1, 120 * MS));

        Histogram last = t.lastDeliveryLatency().total();
        assertEquals(1, last.getTotalCount());
        assertEquals(30_000, last.getMaxValue(), 30); // 130 - 100 ms, in microseconds
        assertEquals(6, t.deliveries());
        assertEquals(6, t.deliveriesInWindow());
        assertEquals(1, t.completedInWindow());
        assertEquals(0, t.outstanding());
        assertEquals(0, t.loss().lostMessages());
    }

    @Test
    void sdkAndLeanDeliveriesOfOneMessageCountTogether() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(0);
        MessageTracker.Track tr = t.register(1, 0, 0, 3);
        t.onAck(tr, 1 * MS);
        t.onDelivered(1, 9 * MS);          // another sender, an SDK client, received it last
        t.onDeliveries(1, 2, 4 * MS);       // the lean receivers earlier
        assertEquals(9_000, t.lastDeliveryLatency().total().getMaxValue(), 10);
    }

    @Test
    void moreDeliveriesThanMembersAreUnexpectedAndAMissingOneIsLost() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(0);
        MessageTracker.Track dup = t.register(1, 0, 0, 2);
        MessageTracker.Track lost = t.register(2, 0, 0, 3);
        t.onAck(dup, MS);
        t.onAck(lost, MS);
        assertEquals(2, t.onDeliveries(1, 3, 5 * MS)); // a gate resend to one connection counted again
        assertEquals(2, t.onDeliveries(2, 2, 5 * MS));
        assertEquals(0, t.onDeliveries(99, 4, 5 * MS)); // a key nobody sent

        assertEquals(5, t.unexpectedDeliveries());
        assertEquals(4, t.deliveries());
        MessageTracker.Loss loss = t.loss();
        assertEquals(1, loss.lostMessages());
        assertEquals(1, loss.missingDeliveries());
    }

    @Test
    void aDeltaCountsInTheWindowByItsLatestArrival() {
        MessageTracker t = new MessageTracker(null);
        t.startWindow(10 * MS);
        MessageTracker.Track early = t.register(1, 0, 5 * MS, 4); // sent in the warm-up: not measured
        t.onAck(early, 6 * MS);
        t.onDeliveries(1, 2, 8 * MS);
        t.onDeliveries(1, 2, 11 * MS);
        t.endWindow(20 * MS);

        assertEquals(2, t.deliveriesInWindow());
        assertEquals(1, t.completedInWindow());
        assertEquals(0, t.lastDeliveryLatency().total().getTotalCount());
    }

    @Test
    void deltasDrainOnceAndSurviveTheirLine() {
        DeliveryDeltas d = new DeliveryDeltas();
        d.record(7, 1_000);
        d.record(7, 3_000);
        d.record(7, 2_000);
        d.record(8, 5_000);
        List<DeliveryDeltas.Entry> first = d.drain();
        assertEquals(List.of(new DeliveryDeltas.Entry(7, 3, 3_000), new DeliveryDeltas.Entry(8, 1, 5_000)),
                first.stream().sorted((a, b) -> Long.compare(a.key(), b.key())).toList());
        assertEquals(List.of(), d.drain());
        assertNull(DeliveryDeltas.toLine(List.of()));
        assertEquals(first, DeliveryDeltas.parse(DeliveryDeltas.toLine(first)));
    }

    @Test
    void aWorkersLatencyHistogramAddsToTheRecorder() {
        Histogram h = LatencyRecorder.emptyHistogram();
        h.recordValueWithCount(1_500, 3);
        h.recordValue(40_000);
        LatencyRecorder r = new LatencyRecorder();
        r.add(HistogramText.decode(HistogramText.encode(h)));
        Histogram total = r.total();
        assertEquals(4, total.getTotalCount());
        assertEquals(40_000, total.getMaxValue(), 40);
    }

    @Test
    void theWallClockAnchorConvertsBothWays() {
        WallClock c = new WallClock(1_767_225_600_000_000L, 5_000_000_000L);
        assertEquals(1_767_225_600_001_500L, c.toEpochMicros(5_001_500_000L));
        assertEquals(5_001_500_000L, c.toNanos(1_767_225_600_001_500L));
        assertEquals(1_767_225_599_999_999L, c.toEpochMicros(4_999_999_999L));
    }
}
