package io.magpie.bench;

import io.magpie.bench.internal.scenario.ConnectionsScenario;
import io.magpie.bench.internal.scenario.ConnectionsWorker;
import io.magpie.bench.internal.scenario.FanoutReceiverWorker;
import io.magpie.bench.internal.scenario.GroupFanoutScenario;
import io.magpie.bench.internal.scenario.GuardCommand;
import io.magpie.bench.internal.scenario.HopFloorCommand;
import io.magpie.bench.internal.scenario.JmhCommand;
import io.magpie.bench.internal.scenario.PairClosedScenario;
import io.magpie.bench.internal.scenario.PairOpenScenario;
import io.magpie.bench.internal.scenario.ReconnectStormScenario;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Magpie load tool: {@code bench <scenario> [options]} drives a running Magpie (standalone or a
 * cluster) over real sockets with the real protocol, through the client SDK, and reports throughput,
 * latency percentiles and every failure; {@code bench jmh [JMH options]} runs the micro-benchmarks.
 * Each scenario prints a progress line every second, writes {@code bench-results/<scenario>-<time>.md}
 * plus a percentile plot, and prints one {@code scenario=... throughput=... p99_ms=...} summary line;
 * {@code bench guard} runs the core scenarios and compares them with the last committed guard report.
 *
 * <p>Exit code 0 when the run had no errors, timeouts or lost messages, 1 when it had some or failed,
 * 2 for a bad option. See docs/benchmarks.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "magpie-bench 0.1",
        description = "Load generator and micro-benchmarks for Magpie. Loopback only; every run is bounded in"
                + " count and time.",
        subcommands = {PairClosedScenario.class, PairOpenScenario.class, GroupFanoutScenario.class,
            ConnectionsScenario.class, ReconnectStormScenario.class, GuardCommand.class, HopFloorCommand.class,
            JmhCommand.class,
            ConnectionsWorker.class, FanoutReceiverWorker.class})
public final class Bench implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new Bench());
        cmd.getSubcommands().get(JmhCommand.NAME).setUnmatchedOptionsArePositionalParams(true);
        System.exit(cmd.execute(args));
    }
}
