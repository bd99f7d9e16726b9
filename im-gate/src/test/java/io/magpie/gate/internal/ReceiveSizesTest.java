package io.magpie.gate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The gate's receive-size prediction: as Netty's adaptive one, on a 40-byte handle. */
class ReceiveSizesTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final RecvByteBufAllocator.ExtendedHandle handle =
            (RecvByteBufAllocator.ExtendedHandle) new ReceiveSizes(16).newHandle();

    /** One wake-up that reads {@code bytes} in one read of a buffer of the current guess. */
    private void wakeUp(int bytes) {
        handle.reset(channel.config());
        handle.attemptedBytesRead(handle.guess());
        handle.lastBytesRead(bytes);
        handle.incMessagesRead(1);
        handle.readComplete();
    }

    @Test
    void startsAt2KiBAndGrowsFourStepsWhenAReadFillsItsBuffer() {
        assertEquals(2048, handle.guess());
        wakeUp(2048);
        assertEquals(32768, handle.guess(), "2 KiB -> 4, 8, 16, 32 KiB in one go");
        wakeUp(32768);
        assertEquals(65536, handle.guess(), "never above 64 KiB");
    }

    @Test
    void shrinksOneStepOnlyAfterTwoSmallWakeUpsAndNeverBelow64Bytes() {
        wakeUp(10);
        assertEquals(2048, handle.guess(), "one small wake-up is not enough");
        wakeUp(10);
        assertEquals(1024, handle.guess());
        for (int i = 0; i < 200; i++) {
            wakeUp(10);
        }
        assertEquals(64, handle.guess());
    }

    @Test
    void aWakeUpBetweenTheStepsKeepsThePredictionAndAPendingShrinkDoesNotStopGrowth() {
        wakeUp(1500); // above the step below 2 KiB (1 KiB), below 2 KiB
        assertEquals(2048, handle.guess());
        wakeUp(10);
        wakeUp(2048);
        assertEquals(32768, handle.guess());
    }

    @Test
    void readsOnWhileReadsFillTheirBuffersUpToTheLimit() {
        handle.reset(channel.config());
        for (int read = 1; read <= 16; read++) {
            handle.attemptedBytesRead(100);
            handle.lastBytesRead(100);
            handle.incMessagesRead(1);
            assertEquals(read < 16, handle.continueReading(), "after read " + read);
        }
        handle.reset(channel.config());
        handle.attemptedBytesRead(100);
        handle.lastBytesRead(40);
        handle.incMessagesRead(1);
        assertFalse(handle.continueReading(), "a read that did not fill its buffer emptied the socket");
        assertTrue(handle.continueReading(() -> true), "unless the transport says more may be there");
        channel.config().setAutoRead(false);
        assertFalse(handle.continueReading(() -> true), "never with auto-read off");
    }

    @Test
    void sizesAreTheTableOfNettysAdaptivePrediction() {
        assertEquals(16, ReceiveSizes.size(0));
        assertEquals(496, ReceiveSizes.size(ReceiveSizes.index(490)));
        assertEquals(512, ReceiveSizes.size(ReceiveSizes.index(497)));
        assertEquals(65536, ReceiveSizes.size(ReceiveSizes.index(65536)));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveSizes(0));
    }
}
