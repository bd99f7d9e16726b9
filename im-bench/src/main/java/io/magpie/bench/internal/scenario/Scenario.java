package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.ReportWriter;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.bench.internal.report.SummaryLine;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every scenario subcommand shares: the common options, the exact command line for the report,
 * writing the report and printing the summary line, and turning failures into a clear message and an
 * exit code (2 = bad option, 1 = the run failed or had errors, timeouts, lost messages or failed READs).
 * Subclasses implement {@link #run()}.
 */
public abstract class Scenario implements Callable<Integer> {

    @Mixin
    protected CommonOptions common;

    @Spec
    protected CommandSpec spec;

    protected final PrintStream out = System.out;
    protected final Clock clock = Clock.systemUTC();

    /** Validates the scenario's own options; throw IllegalArgumentException naming the option. */
    protected abstract void validate();

    /** Runs the scenario and returns the report(s) to write; the last one is the run's headline. */
    protected abstract List<RunReport> run() throws Exception;

    @Override
    public final Integer call() {
        return execute().exitCode();
    }

    /** What one scenario run gave: its exit code and the reports written (none when it failed or was refused). */
    record Outcome(int exitCode, List<RunReport> reports) {
    }

    /**
     * Validates, runs, writes the reports and prints their summary lines; {@link #call()} for the command line,
     * and the regression guard, which runs scenarios one after the other and compares their reports.
     */
    final Outcome execute() {
        try {
            common.validate();
            validate();
        } catch (IllegalArgumentException e) {
            System.err.println(spec.name() + ": " + e.getMessage());
            return new Outcome(2, List.of());
        }
        try {
            out.println("durability: " + common.durability().describe());
            List<RunReport> reports = run();
            for (RunReport r : reports) {
                ReportWriter.Written w = new ReportWriter(common.resultsDir).write(r);
                out.println("report: " + w.markdown() + (w.plot() == null ? "" : "  plot: " + w.plot()));
            }
            for (RunReport r : reports) {
                out.println(SummaryLine.of(r));
            }
            boolean failed = reports.stream().anyMatch(r -> r.failures().total() > 0 || r.reads().failures() > 0);
            return new Outcome(failed ? 1 : 0, reports);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println(spec.name() + " FAILED: " + e.getMessage());
            if (e.getCause() != null && !e.getMessage().contains(String.valueOf(e.getCause().getMessage()))) {
                System.err.println("  cause: " + e.getCause());
            }
            return new Outcome(1, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println(spec.name() + " interrupted");
            return new Outcome(1, List.of());
        } catch (Exception e) {
            System.err.println(spec.name() + " FAILED: " + e);
            return new Outcome(1, List.of());
        }
    }

    /** The command as typed: {@code ./bench <args>}, each argument quoted when it needs to be. */
    protected String commandLine() {
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        return "./bench " + args.stream().map(Scenario::quote).collect(Collectors.joining(" "));
    }

    static String quote(String arg) {
        if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_./:=,@%+-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** A report builder with the run's command, start time and machine filled in. */
    protected RunReport.Builder report(String scenario, java.time.Instant startedAt, MachineInfo machine) {
        return RunReport.builder(scenario).command(commandLine()).startedAt(startedAt).machine(machine)
                .durability(common.durability())
                .param("run", common.runId()).param("transport", common.transport);
    }

    protected static void sleepMillis(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
