package io.magpie.bench.internal.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenarios the regression guard runs, in order, as bench command lines: the 1:1 closed loop at one
 * message in flight and under load, the open loop at a light and a heavy rate, and a 500-member group. Each step
 * is a separate run of the existing scenario (its own users, connections and report), with the same measured
 * window and warm-up.
 */
final class GuardPlan {

    /** One step: a name (stable across runs: the baseline is matched by it) and the scenario's arguments. */
    record Step(String name, List<String> args) {
        Step {
            args = List.copyOf(args);
        }
    }

    private GuardPlan() {
    }

    /**
     * The core steps; {@code common} are the options every step gets (window, warm-up, server pid, URLs,
     * results directory).
     */
    static List<Step> core(List<String> common) {
        return List.of(
                step("pair-closed-1x1", common, "pair-closed", "--pairs", "1", "--inflight", "1"),
                step("pair-closed-50x16", common, "pair-closed", "--pairs", "50", "--inflight", "16"),
                step("pair-open-2000", common, "pair-open", "--pairs", "50", "--rate", "2000"),
                step("pair-open-8000", common, "pair-open", "--pairs", "50", "--rate", "8000"),
                step("group-fanout-500", common, "group-fanout", "--groups", "1", "--members", "500", "--rate", "60"));
    }

    private static Step step(String name, List<String> common, String... scenario) {
        List<String> args = new ArrayList<>(List.of(scenario));
        args.addAll(common);
        return new Step(name, args);
    }
}
