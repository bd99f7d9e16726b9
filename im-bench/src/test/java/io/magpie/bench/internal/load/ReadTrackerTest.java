package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.client.ConnectionLostException;
import io.magpie.client.MagpieErrorException;
import io.magpie.client.RequestTimeoutException;
import io.magpie.protocol.ErrorCode;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ReadTrackerTest {

    private static final long MS = 1_000_000;

    @Test
    void everyOneReadsEachDeliveredMessageAndEveryTenReadsOnlyTheTenthSeqs() {
        ReadTracker each = new ReadTracker(1);
        ReadTracker tenth = new ReadTracker(10);
        long eachReads = 0;
        long tenthReads = 0;
        for (long seq = 1; seq <= 100; seq++) {
            eachReads += each.readsAt(seq) ? 1 : 0;
            tenthReads += tenth.readsAt(seq) ? 1 : 0;
        }
        assertEquals(100, eachReads);
        assertEquals(10, tenthReads);
        assertTrue(tenth.readsAt(30));
        assertFalse(tenth.readsAt(31));
    }

    @Test
    void offNeverReads() {
        ReadTracker off = ReadTracker.off();
        assertFalse(off.enabled());
        assertFalse(off.readsAt(1));
        assertFalse(off.readsAt(0));
        assertThrows(IllegalArgumentException.class, () -> new ReadTracker(-1));
    }

    @Test
    void onlyReadsSentInTheWindowAreTimedButEveryReadIsCounted() {
        ReadTracker t = new ReadTracker(1);
        t.startWindow(100 * MS);
        t.onIssued(50 * MS);   // warm-up
        t.onIssued(150 * MS);
        t.onAcked(50 * MS, 160 * MS);
        t.onAcked(150 * MS, 153 * MS);
        t.endWindow(200 * MS);
        t.onIssued(210 * MS);  // drain
        t.onAcked(210 * MS, 211 * MS);

        assertEquals(3, t.issued());
        assertEquals(1, t.issuedInWindow());
        assertEquals(3, t.acked());
        assertEquals(1, t.latency().total().getTotalCount());
        assertEquals(3.0, t.latency().total().getMaxValue() / 1000.0, 0.01);
        assertEquals(0, t.outstanding());
    }

    @Test
    void aTimedOutReadIsATimeoutAndAnErrorIsCountedByItsCode() {
        ReadTracker t = new ReadTracker(1);
        for (int i = 0; i < 4; i++) {
            t.onIssued(i);
        }
        t.onFailed(new CompletionException(new RequestTimeoutException("no READ_ACK")));
        t.onFailed(new CompletionException(new MagpieErrorException(ErrorCode.NOT_FOUND, "no such conversation", false)));
        t.onFailed(new MagpieErrorException(ErrorCode.NOT_FOUND, "no such conversation", false));

        assertEquals(1, t.timeouts());
        assertEquals(2, t.errors());
        assertEquals(Map.of("NOT_FOUND", 2L), t.errorCodes().snapshot().counts());
        assertEquals(1, t.outstanding(), "one READ is still unanswered");
    }

    @Test
    void aLostConnectionIsAnErrorOfItsOwnName() {
        ReadTracker t = new ReadTracker(1);
        t.onIssued(0);
        t.onFailed(new ConnectionLostException("READ not sent: not connected"));
        assertEquals("CONNECTION_LOST 1", t.errorCodes().snapshot().readable());
    }
}
