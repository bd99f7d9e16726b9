package io.magpie.bench.internal.floor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class HandOffProbeTest {

    @Test
    void eachSampleIsTheTimeTheParkedThreadTookToRunAndCloseEndsThatThread() throws Exception {
        HandOffProbe probe = new HandOffProbe();
        Thread worker = worker(probe);
        for (int i = 0; i < 100; i++) {
            long before = System.nanoTime();
            long nanos = probe.sampleNanos();
            long whole = System.nanoTime() - before;
            assertTrue(nanos > 0 && nanos <= whole, "a hand-off (" + nanos + " ns) lies inside the sample's own"
                    + " round trip (" + whole + " ns)");
        }
        assertTrue(worker.isAlive());
        probe.close();
        assertFalse(worker.isAlive(), "close() ends the hand-off thread");
    }

    private static Thread worker(HandOffProbe probe) throws ReflectiveOperationException {
        Field field = HandOffProbe.class.getDeclaredField("worker");
        field.setAccessible(true);
        return (Thread) field.get(probe);
    }
}
