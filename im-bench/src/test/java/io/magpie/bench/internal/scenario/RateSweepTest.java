package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.LatencySummary;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateSweepTest {

    private static final double NO_LIMIT = Double.MAX_VALUE;

    private static RateSweep.Step step(double offered, double achieved, long failed, boolean aborted) {
        return new RateSweep.Step(offered, achieved, LatencySummary.EMPTY, LatencySummary.EMPTY,
                new Failures(failed, 0, 0), (long) (offered * 20), aborted);
    }

    private static RateSweep.Step withP99(double offered, double p99Ms) {
        return new RateSweep.Step(offered, offered, new LatencySummary(1000, 1, 1, 1, p99Ms, p99Ms, p99Ms),
                LatencySummary.EMPTY, Failures.NONE, (long) (offered * 20), false);
    }

    @Test
    void aStepWhoseP99PassedTheLimitIsSaturatedEvenIfItDeliveredTheRate() {
        List<RateSweep.Step> steps = List.of(withP99(1000, 20), withP99(8000, 417), withP99(10000, 1876));
        assertEquals(8000, RateSweep.saturationPoint(steps, 0.95, 1000).orElseThrow().offered());
        assertTrue(steps.get(2).saturation(0.95, 1000).orElseThrow().contains("p99 1876 ms above the 1000 ms limit"));
        assertEquals(10000, RateSweep.saturationPoint(steps, 0.95, NO_LIMIT).orElseThrow().offered());
    }

    @Test
    void theSaturationPointIsTheHighestRateTheServerKeptUpWith() {
        List<RateSweep.Step> steps = List.of(step(1000, 1000, 0, false), step(2000, 1990, 0, false),
                step(4000, 3100, 0, false), step(8000, 3000, 0, true));
        assertEquals(2000, RateSweep.saturationPoint(steps, 0.95, NO_LIMIT).orElseThrow().offered());
        assertTrue(steps.get(2).saturation(0.95, NO_LIMIT).orElseThrow().contains("78%"));
        assertTrue(steps.get(3).saturation(0.95, NO_LIMIT).orElseThrow().contains("outstanding"));
        assertEquals(1000, RateSweep.nearest(steps, 1000).orElseThrow().offered());
    }

    @Test
    void moreThanOnePercentFailedMessagesSaturateAStep() {
        RateSweep.Step s = step(1000, 1000, 201, false); // 20,000 sent
        assertTrue(s.saturation(0.95, NO_LIMIT).isPresent());
        assertTrue(step(1000, 1000, 200, false).saturation(0.95, NO_LIMIT).isEmpty());
    }

    @Test
    void everyRateSaturatedMeansNoPoint() {
        assertTrue(RateSweep.saturationPoint(List.of(step(1000, 10, 0, false)), 0.95, NO_LIMIT).isEmpty());
        String table = RateSweep.table(List.of(step(1000, 10, 0, false)), 0.95, NO_LIMIT);
        assertTrue(table.contains("saturated: delivered 1% of the offered rate"), table);
    }
}
