package io.magpie.bench.internal.floor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandOffProbeTest {

    @Test
    void eachSampleIsTheTimeTheParkedThreadTookToRunAndCloseEndsThatThread() throws Exception {
        HandOffProbe probe = new HandOffProbe();
        for (int i = 0; i < 100; i++) {
            long before = System.nanoTime();
            long nanos = probe.sampleNanos();
            long whole = System.nanoTime() - before;
            assertTrue(nanos > 0 && nanos <= whole, "a hand-off (" + nanos + " ns) lies inside the sample's own"
                    + " round trip (" + whole + " ns)");
        }
        assertTrue(probe.running());
        probe.close();
        assertFalse(probe.running(), "close() ends the hand-off thread");
    }
}
