package io.magpie.bench.internal.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.bench.internal.load.LatencyRecorder;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PercentilePlotTest {

    private static Histogram oneToThousandMs() {
        Histogram h = LatencyRecorder.emptyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        return h;
    }

    @Test
    void theCurveRisesWithThePercentileAndEndsAtTheMaximum() {
        List<PercentilePlot.Point> points = PercentilePlot.points(oneToThousandMs());
        assertFalse(points.isEmpty());
        for (int i = 1; i < points.size(); i++) {
            assertTrue(points.get(i).x() >= points.get(i - 1).x());
            assertTrue(points.get(i).yMs() >= points.get(i - 1).yMs());
        }
        assertEquals(1000.0, points.get(points.size() - 1).yMs(), 1.0);
        assertEquals(0.0, points.get(0).x(), 0.05);
    }

    @Test
    void anEmptyHistogramHasNoCurve() {
        assertTrue(PercentilePlot.points(LatencyRecorder.emptyHistogram()).isEmpty());
    }

    @Test
    void thePageHasOneLineAndOneEscapedLegendPerSeries() {
        String html = PercentilePlot.html("a <b> & c", List.of(new RunReport.PlotSeries("fast <1>", oneToThousandMs()),
                new RunReport.PlotSeries("slow", oneToThousandMs())));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(2, html.split("<polyline", -1).length - 1);
        assertTrue(html.contains("fast &lt;1&gt;"));
        assertTrue(html.contains("a &lt;b&gt; &amp; c"));
        assertTrue(html.contains(">99.9%<"));
    }

    @Test
    void axisHelpers() {
        assertEquals("0%", PercentilePlot.percentileLabel(0));
        assertEquals("90%", PercentilePlot.percentileLabel(1));
        assertEquals("99%", PercentilePlot.percentileLabel(2));
        assertEquals("99.99%", PercentilePlot.percentileLabel(4));
        assertEquals(1, PercentilePlot.niceCeiling(0));
        assertEquals(5, PercentilePlot.niceCeiling(4.37));
        assertEquals(200, PercentilePlot.niceCeiling(131));
        assertEquals(1000, PercentilePlot.niceCeiling(1000));
    }
}
