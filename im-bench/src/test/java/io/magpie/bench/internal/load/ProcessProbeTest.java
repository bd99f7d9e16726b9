package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessProbeTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheNameHoldsSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 1 0 -1 4194560 9 0 0 0 1234 567 0 0 20 0 40 0 100 1 2 3";
        assertEquals(OptionalLong.of(1234 + 567), ProcessProbe.parseStatTicks(stat));
        assertEquals(OptionalLong.empty(), ProcessProbe.parseStatTicks("garbage"));
    }

    @Test
    void rssComesFromVmRssInKibibytes() {
        String status = "Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  404720 kB\nThreads:\t40\n";
        assertEquals(OptionalLong.of(404720L * 1024), ProcessProbe.parseRssBytes(status));
        assertEquals(OptionalLong.empty(), ProcessProbe.parseRssBytes("Name:\tx\n"));
    }

    @Test
    void machineTicksAreTheTotalAndIdlePlusIowaitOfTheCpuLine() {
        String procStat = "cpu  100 5 50 800 20 0 5 0 0 0\ncpu0 50 2 25 400 10 0 2 0 0 0\n";
        assertArrayEquals(new long[] {980, 820}, ProcessProbe.parseMachineTicks(procStat));
    }

    @Test
    void heapUsedIsReadFromGcHeapInfo() {
        String g1 = "4242:\n garbage-first heap   total 262144K, used 123456K [0x00000000c0000000, 0x0000000100000000)\n"
                + "  region size 1024K, 10 young (10240K), 0 survivors (0K)\n";
        assertEquals(OptionalLong.of(123456L * 1024), ProcessProbe.parseHeapUsedBytes(g1));
        assertEquals(OptionalLong.empty(), ProcessProbe.parseHeapUsedBytes("no heap here"));
    }

    @Test
    void gcSecondsAreTheGctColumnOfJstat() {
        String jstat = "    S0C         S1C    EC  OC  YGC  YGCT  FGC FGCT  CGC CGCT   GCT\n"
                + "     0.0         0.0  1.0 2.0   12 0.120    1 0.300   4 0.010  0.430\n";
        OptionalDouble gct = ProcessProbe.parseJstatGcSeconds(jstat);
        assertTrue(gct.isPresent());
        assertEquals(0.430, gct.getAsDouble(), 1e-9);
        assertEquals(OptionalDouble.empty(), ProcessProbe.parseJstatGcSeconds("12345 not found"));
    }
}
