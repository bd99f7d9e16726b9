package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorBreakdownTest {

    @Test
    void theMostFrequentErrorComesFirstAndTiesGoByName() {
        ErrorBreakdown b = ErrorBreakdown.of(Map.of("SERVER_BUSY", 2L, "RATE_LIMITED", 139L, "INTERNAL", 2L));
        assertEquals("RATE_LIMITED 139, INTERNAL 2, SERVER_BUSY 2", b.readable());
        assertEquals("RATE_LIMITED:139;INTERNAL:2;SERVER_BUSY:2", b.compact());
        assertEquals("143 (RATE_LIMITED 139, INTERNAL 2, SERVER_BUSY 2)", b.withTotal(143));
    }

    @Test
    void noErrorsIsADashInTheSummaryAndJustTheCountInTheReport() {
        assertTrue(ErrorBreakdown.of(Map.of("RATE_LIMITED", 0L)).isEmpty(), "zero counts are dropped");
        assertEquals("-", ErrorBreakdown.EMPTY.compact());
        assertEquals("0", ErrorBreakdown.EMPTY.withTotal(0));
    }

    @Test
    void sweepStepsAddUpNameByName() {
        ErrorBreakdown a = ErrorBreakdown.of(Map.of("RATE_LIMITED", 5L));
        ErrorBreakdown b = ErrorBreakdown.of(Map.of("RATE_LIMITED", 1L, "TIMEOUT", 7L));
        assertEquals("TIMEOUT 7, RATE_LIMITED 6", a.plus(b).readable());
        assertEquals(a, a.plus(ErrorBreakdown.EMPTY));
    }
}
