package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.bench.internal.load.ProcessProbe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeapDiffTest {

    private static final String BEFORE = """
            4242:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:        900000       50000000  [B (java.base@17.0.15)
               2:          1000          64000  io.netty.channel.socket.nio.NioSocketChannel
               3:            10            400  java.lang.Thread (java.base@17.0.15)
            Total       901010       50064400
            """;
    private static final String AFTER = """
            4242:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:        920000       51000000  [B (java.base@17.0.15)
               2:         11000         704000  io.netty.channel.socket.nio.NioSocketChannel
               3:             5            200  java.lang.Thread (java.base@17.0.15)
               4:         10000         320000  io.magpie.gate.internal.Session
            Total       961005       52024200
            """;

    @Test
    void theHistogramIsReadPerClassWithoutModuleOrTotals() {
        Map<String, long[]> h = ProcessProbe.parseClassHistogram(AFTER);
        assertEquals(4, h.size());
        assertEquals(704000, h.get("io.netty.channel.socket.nio.NioSocketChannel")[1]);
        assertEquals(920000, h.get("[B")[0]);
    }

    @Test
    void growthIsSortedByBytesAndShrinkingClassesAreLeftOut() {
        List<HeapDiff.Growth> top = HeapDiff.top(ProcessProbe.parseClassHistogram(BEFORE),
                ProcessProbe.parseClassHistogram(AFTER), 10);
        assertEquals(List.of("[B", "io.netty.channel.socket.nio.NioSocketChannel", "io.magpie.gate.internal.Session"),
                top.stream().map(HeapDiff.Growth::className).toList());
        String table = HeapDiff.table(top, 10_000, "connection");
        assertTrue(table.contains("| `io.magpie.gate.internal.Session` | 1.00 | 32 |"), table);
        assertTrue(table.contains("| `[B` | 2.00 | 100 |"), table);
    }

    @Test
    void theNetGrowthCountsEveryClassAndThePerConnectionSumOnlyThoseGrownByHalfAnInstanceEach() {
        var before = ProcessProbe.parseClassHistogram(BEFORE);
        var after = ProcessProbe.parseClassHistogram(AFTER);
        assertEquals(52024200 - 50064400, HeapDiff.net(before, after), "the shrunk Thread class counts against it");
        assertEquals(1_000_000 + 640_000 + 320_000, HeapDiff.perUnitClasses(before, after, 10_000, 0.5),
                "byte arrays, channels and sessions grew by >= 5,000 instances; the shrunk Thread class is left out");
        assertEquals(0, HeapDiff.perUnitClasses(before, after, 10_000, 2.5), "no class grew by 25,000 instances");
    }
}
