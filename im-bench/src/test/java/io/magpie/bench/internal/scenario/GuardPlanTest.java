package io.magpie.bench.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.magpie.bench.Bench;
import java.util.List;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** Every guard step is a valid command line of an existing scenario, with the guard's shared options. */
class GuardPlanTest {

    @Test
    void everyStepParsesAsAScenarioOfTheBenchCli() {
        List<GuardPlan.Step> steps = GuardPlan.core(List.of("--duration", "30s", "--warmup", "10s",
                "--server-pid", "0", "--metrics-url", "http://127.0.0.1:8090/metrics"));

        assertEquals(List.of("pair-closed-1x1", "pair-closed-50x16", "pair-open-2000", "pair-open-8000",
                "group-fanout-500"), steps.stream().map(GuardPlan.Step::name).toList());
        for (GuardPlan.Step step : steps) {
            CommandLine.ParseResult parsed = new CommandLine(new Bench()).parseArgs(step.args().toArray(String[]::new));
            Scenario scenario = assertInstanceOf(Scenario.class, parsed.subcommand().commandSpec().userObject());
            scenario.common.validate();
            scenario.validate();
        }
    }

    @Test
    void theServerWarmUpIsABriskClosedLoopWithNoWarmUpOfItsOwn() {
        GuardPlan.Step step = GuardPlan.serverWarmUp(List.of("--server-pid", "0"), "30s");

        assertEquals(GuardPlan.SERVER_WARM_UP, step.name());
        CommandLine.ParseResult parsed = new CommandLine(new Bench()).parseArgs(step.args().toArray(String[]::new));
        PairClosedScenario scenario = assertInstanceOf(PairClosedScenario.class,
                parsed.subcommand().commandSpec().userObject());
        scenario.common.validate();
        scenario.validate();
        assertEquals(List.of("pair-closed", "--pairs", "50", "--inflight", "16", "--duration", "30s", "--warmup", "0s",
                "--server-pid", "0"), step.args());
    }
}
