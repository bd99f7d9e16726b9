package io.magpie.bench.internal.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class WorkerReportTest {

    @Test
    void aWorkerReportSurvivesTheTripThroughOneStdoutLine() {
        Histogram h = LatencyRecorder.emptyHistogram();
        h.recordValue(850);
        h.recordValue(1200);
        h.recordValue(90_000);
        ConnectPhase.Result r = new ConnectPhase.Result(9_998, 2, 1_700_000_000_000L, 1_700_000_002_500L,
                "connect to /127.0.0.1:7000 failed: refused (with spaces)", false);
        String line = new WorkerReport(r, h).toLine();
        assertEquals(-1, line.indexOf('\n'));

        WorkerReport back = WorkerReport.parse(line);
        assertEquals(r, back.result());
        assertEquals(3, back.latency().getTotalCount());
        assertEquals(h.getMaxValue(), back.latency().getMaxValue());
        assertEquals(2.5, back.result().seconds(), 1e-9);
    }

    @Test
    void noErrorRoundTripsAsNull() {
        ConnectPhase.Result r = new ConnectPhase.Result(1, 0, 0, 1000, null, true);
        assertNull(WorkerReport.parse(new WorkerReport(r, LatencyRecorder.emptyHistogram()).toLine()).result().firstError());
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WorkerReport.parse("PROGRESS 1 2"));
        assertThrows(IllegalArgumentException.class, () -> WorkerReport.parse("READY connected=x"));
    }
}
