package io.magpie.bench.internal.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenarios the regression guard runs, in order, as bench command lines: the 1:1 closed loop at one
 * message in flight and under load, the open loop at a light and a heavy rate, and a 500-member group. Each step
 * is a separate run of the existing scenario (its own users, connections and report), with the same measured
 * window and warm-up. Before them, an unmeasured brisk run ({@link #serverWarmUp}) lets the server's JIT compile
 * the message path: one message in flight is too slow a rate to get there in a step's own warm-up (at about
 * 100 messages a second the hot methods need minutes to reach the compiler's thresholds), so without it the first
 * step measured the interpreter.
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

    /** The name of the unmeasured step that warms the server up; it has no figures in the guard's table. */
    static final String SERVER_WARM_UP = "server-warm-up";

    /**
     * The brisk unmeasured run before the core steps: the 1:1 closed loop under load for {@code window}, no warm-up
     * of its own; {@code common} as for {@link #core} but without the window and warm-up options.
     */
    static Step serverWarmUp(List<String> common, String window) {
        List<String> args = new ArrayList<>(List.of("--duration", window, "--warmup", "0s"));
        args.addAll(common);
        return step(SERVER_WARM_UP, args, "pair-closed", "--pairs", "50", "--inflight", "16");
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
