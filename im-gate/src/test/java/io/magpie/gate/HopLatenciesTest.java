package io.magpie.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.magpie.gate.HopLatencies.Hop;
import io.magpie.gate.HopLatencies.HopStats;
import io.magpie.gate.HopLatencies.KindStats;
import io.magpie.protocol.Command;
import io.magpie.protocol.proto.HopTrace;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HopLatenciesTest {

    private static final HopTrace TRACE = HopTrace.newBuilder()
            .setGateReceivedUs(1_000_000)
            .setLogicPolledUs(1_000_300)      // upstream 300
            .setLogicStoredUs(1_001_300)      // store 1,000
            .setPushProducedUs(1_001_310)     // publish 10
            .setRouterPolledUs(1_001_710)     // push bus 400
            .setRouterSentUs(1_001_810)       // router 100
            .build();

    @Test
    void eachHopIsTheDifferenceOfItsTwoStampsPerKindOfFrame() {
        HopLatencies hops = new HopLatencies(5);
        hops.record(Command.PUSH, TRACE, 1_001_860, 1_001_900); // link 50, write 40
        hops.record(Command.SEND_ACK, TRACE, 1_001_830, 1_001_850);

        HopLatencies.Snapshot snapshot = hops.snapshot(9, false);
        assertEquals(5, snapshot.sinceEpochMillis());
        assertEquals(9, snapshot.untilEpochMillis());
        Map<Hop, HopStats> push = byHop(kind(snapshot, "PUSH"));
        assertEquals(300, push.get(Hop.UPSTREAM).p50Us());
        assertEquals(1_000, push.get(Hop.LOGIC_STORE).p50Us());
        assertEquals(10, push.get(Hop.LOGIC_PUBLISH).p50Us());
        assertEquals(400, push.get(Hop.PUSH_BUS).p50Us());
        assertEquals(100, push.get(Hop.ROUTER).p50Us());
        assertEquals(50, push.get(Hop.GATE_LINK).p50Us());
        assertEquals(40, push.get(Hop.GATE_WRITE).p50Us());
        assertEquals(1_900, push.get(Hop.TOTAL).maxUs());
        assertEquals(1, push.get(Hop.TOTAL).count());
        assertEquals(1_850, byHop(kind(snapshot, "SEND_ACK")).get(Hop.TOTAL).p50Us());
    }

    @Test
    void untracedFramesAndOtherCommandsAreNotCounted() {
        HopLatencies hops = new HopLatencies(0);
        hops.record(Command.PUSH, HopTrace.getDefaultInstance(), 10, 20);
        hops.record(Command.NOTICE, TRACE, 1_001_860, 1_001_900);
        hops.record(Command.PUSH, TRACE.toBuilder().clearRouterSentUs().build(), 1_001_860, 1_001_900);
        for (KindStats kind : hops.snapshot(1, false).kinds()) {
            kind.hops().forEach(h -> assertEquals(0, h.count(), kind.kind() + " " + h.hop()));
        }
    }

    @Test
    void aResetStartsANewWindowAndAStampBeforeItsStartCountsAsNegative() {
        HopLatencies hops = new HopLatencies(0);
        hops.record(Command.PUSH, TRACE, 1_001_860, 1_001_900);
        assertEquals(1, byHop(kind(hops.snapshot(1, true), "PUSH")).get(Hop.TOTAL).count());

        // the recipient's gate runs on a host whose clock is 1 ms behind the router's
        hops.record(Command.PUSH, TRACE, 1_000_810, 1_000_850);
        HopLatencies.Snapshot second = hops.snapshot(2, false);
        assertEquals(1, second.sinceEpochMillis(), "the window starts at the reset");
        HopStats link = byHop(kind(second, "PUSH")).get(Hop.GATE_LINK);
        assertEquals(1, link.count(), "only the record after the reset");
        assertEquals(1, link.negative());
        assertEquals(0, link.maxUs(), "a negative hop is recorded as 0");
    }

    private static KindStats kind(HopLatencies.Snapshot snapshot, String name) {
        return snapshot.kinds().stream().filter(k -> k.kind().equals(name)).findFirst().orElseThrow();
    }

    private static Map<Hop, HopStats> byHop(KindStats kind) {
        return kind.hops().stream().collect(Collectors.toMap(HopStats::hop, Function.identity()));
    }
}
