package io.magpie.bench.internal.scenario;

import io.magpie.bench.Bench;
import io.magpie.bench.internal.floor.HopFloor;
import io.magpie.bench.internal.load.DurabilityProbe;
import io.magpie.bench.internal.report.Durability;
import io.magpie.bench.internal.report.GuardBaseline;
import io.magpie.bench.internal.report.GuardFigures;
import io.magpie.bench.internal.report.GuardReport;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.ReportWriter;
import io.magpie.bench.internal.report.RunReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench guard}: the regression guard. Runs the core scenarios ({@link GuardPlan}) one after the other
 * against a running server, each through its own scenario class (same reports in {@code --results-dir}), then
 * prints every figure (throughput, p50, p99, failures) beside the same figure of the last committed guard report
 * with the change, and writes {@code guard-<time>.md}, which is committed into docs/bench-reports/ to become the
 * next baseline. About six minutes with the defaults (a 30 s unmeasured warm-up of the server first).
 *
 * <p>With {@code --kafka} and {@code --mysql} it first times the machine's hop floor ({@code bench hop-floor},
 * about 30 s) and writes it in the report's header.
 *
 * <p>Exit code 0 when every step (and the server warm-up, and the hop floor when asked for) ran without errors,
 * timeouts or lost messages; 1 otherwise (the table is still printed and written); 2 for a bad option. The
 * figures are not judged: on a shared box the reader does that.
 */
@Command(name = "guard", mixinStandardHelpOptions = true,
        description = {"Regression guard: pair-closed 1x1 and 50x16, pair-open at 2000 and 8000 msg/s, group-fanout"
                + " 500 members at 60 msgs/s (about 6 minutes, after an unmeasured 30 s warm-up of the server), each"
                + " figure beside the last committed guard report. With --kafka and --mysql (the server's, from its"
                + " 'ready' line) it first times the machine's hop floor (bench hop-floor, about 30 s) and writes it"
                + " in the report.",
            "Example: ./bench guard --server-pid $SERVER"})
public final class GuardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--server-pid", defaultValue = "0", paramLabel = "PID",
            description = "the server JVM: its CPU, GC and RSS go into each step's report (default: not watched)")
    long serverPid;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "the guard report to compare with (default: the newest guard-*.md in --baseline-dir)")
    Path baseline;

    @Option(names = "--baseline-dir", defaultValue = "docs/bench-reports", paramLabel = "DIR",
            description = "where committed guard reports are (default: ${DEFAULT-VALUE})")
    Path baselineDir;

    @Option(names = {"-d", "--duration"}, defaultValue = "30s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "measured window of each step (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = {"-w", "--warmup"}, defaultValue = "10s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "warm-up of each step (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--server-warmup", defaultValue = "30s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "an unmeasured pair-closed 50x16 this long before the steps, so the"
                    + " server's JIT has compiled the message path before the 1x1 step; 0s = none (default:"
                    + " ${DEFAULT-VALUE})")
    Duration serverWarmup;

    @Option(names = "--settle", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "pause before each step (not before the first when there is no server warm-up), so the"
                    + " server finishes the previous work (default: ${DEFAULT-VALUE})")
    Duration settle;

    @Option(names = "--results-dir", defaultValue = "bench-results", paramLabel = "DIR",
            description = "where the steps' reports and guard-<time>.md go (default: ${DEFAULT-VALUE})")
    Path resultsDir;

    /** With --kafka and --mysql the guard first times the machine's hop floor and writes it beside the figures. */
    @Mixin
    FloorServerOptions floorServers = new FloorServerOptions();

    /** The hop floor's counted samples per probe in the guard: fewer than {@code hop-floor}'s, about 30 s in all. */
    static final int FLOOR_SAMPLES = 1000;
    /** Back-to-back samples per probe before them, enough to compile this JVM's Kafka and MySQL clients. */
    static final int FLOOR_WARMUP_SAMPLES = 10_000;

    private final Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        GuardBaseline base;
        Optional<HopFloor.Settings> floorSettings;
        try {
            if (duration.isNegative() || duration.isZero() || warmup.isNegative() || settle.isNegative()
                    || serverWarmup.isNegative()) {
                throw new IllegalArgumentException("--duration must be positive, --warmup, --server-warmup and"
                        + " --settle not negative");
            }
            base = baseline();
            floorSettings = floorSettings();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            System.err.println("guard: " + e.getMessage());
            return 2;
        }
        Instant started = clock.instant();
        MachineInfo machine = MachineInfo.detect();
        Durability durability = DurabilityProbe.probe(HttpClient.newHttpClient(), server.metricsUrl, Duration.ofSeconds(5));
        List<String> window = List.of("--duration", DurationConverter.format(duration), "--warmup",
                DurationConverter.format(warmup));
        List<GuardPlan.Step> plan = GuardPlan.core(concat(window, commonArgs()));
        System.out.printf("guard: %d steps, %s + %s each, %s; durability %s; baseline %s%n",
                plan.size(), DurationConverter.format(warmup), DurationConverter.format(duration),
                warmUpDescription(), durability.describe(), base.source());
        boolean allClean = true;
        if (!serverWarmup.isZero()) {
            GuardPlan.Step step = GuardPlan.serverWarmUp(commonArgs(), DurationConverter.format(serverWarmup));
            System.out.printf("%n== guard server warm-up, not measured (./bench %s)%n", String.join(" ", step.args()));
            int exit = runStep(step).exitCode();
            if (exit != 0) {
                // not in the table: say it here, or the guard's exit code 1 would look unexplained
                System.err.println("guard: the server warm-up exited " + exit + " (errors, timeouts or lost messages:"
                        + " see its report in " + resultsDir + "); the guard will exit 1");
                allClean = false;
            }
        }
        String floor = "";
        if (floorSettings.isPresent()) {
            System.out.printf("%n== guard hop floor, before the steps (bench hop-floor, %d samples per probe)%n",
                    FLOOR_SAMPLES);
            try {
                floor = HopFloor.measure(floorSettings.get(), HopFloor.newRunId()).fields();
                System.out.println("hop floor: " + floor);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.err.println("guard: interrupted");
                return 1;
            } catch (Exception e) {
                System.err.println("guard: the hop floor was not measured (" + HopFloor.why(e) + "); the steps run"
                        + " anyway and the guard will exit 1");
                allClean = false;
            }
        }
        List<GuardReport.Step> steps = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            GuardPlan.Step step = plan.get(i);
            if ((i > 0 || !serverWarmup.isZero()) && !sleep(settle)) {
                System.err.println("guard: interrupted");
                return 1;
            }
            System.out.printf("%n== guard step %d/%d: %s (./bench %s)%n", i + 1, plan.size(), step.name(),
                    String.join(" ", step.args()));
            Scenario.Outcome outcome = runStep(step);
            allClean &= outcome.exitCode() == 0;
            if (outcome.reports().isEmpty()) {
                System.err.println("guard: step " + step.name() + " produced no report (exit " + outcome.exitCode()
                        + "); it is left out of the table");
                continue;
            }
            RunReport headline = outcome.reports().get(outcome.reports().size() - 1);
            steps.add(new GuardReport.Step(GuardFigures.of(step.name(), headline), headline.command(),
                    ReportWriter.baseName(headline) + ".md", outcome.exitCode()));
        }
        GuardReport report = new GuardReport(commandLine() + "  # " + warmUpDescription(), started, durability,
                base, steps, machine, floor);
        Path written = new ReportWriter(resultsDir).writeMarkdown(GuardBaseline.PREFIX + ReportWriter.stamp(started),
                report.markdown());
        System.out.println();
        System.out.println("guard: durability " + durability.summary() + ", baseline " + base.source());
        if (!report.durabilityWarning().isEmpty()) {
            System.out.println("guard: WARNING " + report.durabilityWarning());
        }
        System.out.print(report.table());
        System.out.println("guard report: " + written + "  (commit it into " + baselineDir
                + "/ to make it the next baseline)");
        return allClean && steps.size() == plan.size() ? 0 : 1;
    }

    private String warmUpDescription() {
        return serverWarmup.isZero() ? "no server warm-up"
                : "after an unmeasured server warm-up of " + DurationConverter.format(serverWarmup) + " at 50x16";
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The hop floor's settings when --kafka or --mysql is given (both are needed then); neither: none. */
    private Optional<HopFloor.Settings> floorSettings() {
        return floorServers.given()
                ? Optional.of(floorServers.settings(FLOOR_SAMPLES, FLOOR_WARMUP_SAMPLES, Duration.ofMillis(5)))
                : Optional.empty();
    }

    private GuardBaseline baseline() {
        if (baseline != null) {
            if (!Files.isRegularFile(baseline)) {
                throw new IllegalArgumentException("--baseline " + baseline + " is not a file");
            }
            return GuardBaseline.read(baseline);
        }
        Optional<Path> newest = GuardBaseline.newest(baselineDir);
        return newest.map(GuardBaseline::read).orElse(GuardBaseline.NONE);
    }

    /** The options every step gets but its window and warm-up. */
    private List<String> commonArgs() {
        List<String> args = new ArrayList<>(List.of("--server-pid", Long.toString(serverPid),
                "--results-dir", resultsDir.toString()));
        args.addAll(server.toArgs());
        return args;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Parses the step as a bench command line and runs its scenario (a fresh instance: options start at defaults). */
    private static Scenario.Outcome runStep(GuardPlan.Step step) {
        CommandLine root = new CommandLine(new Bench());
        CommandLine.ParseResult parsed = root.parseArgs(step.args().toArray(String[]::new));
        Object command = parsed.subcommand().commandSpec().userObject();
        if (!(command instanceof Scenario scenario)) {
            throw new IllegalStateException("guard step " + step.name() + " is not a scenario: " + step.args());
        }
        return scenario.execute();
    }

    private String commandLine() {
        return "./bench " + masked(spec.root().commandLine().getParseResult().originalArgs()).stream()
                .map(Scenario::quote).collect(Collectors.joining(" "));
    }

    /** The arguments with the MySQL password's value replaced, since the report is committed. */
    static List<String> masked(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean passwordNext = false;
        for (String arg : args) {
            if (passwordNext) {
                out.add("***");
                passwordNext = false;
            } else if (arg.startsWith("--mysql-password=")) {
                out.add("--mysql-password=***");
            } else {
                passwordNext = arg.equals("--mysql-password");
                out.add(arg);
            }
        }
        return out;
    }
}
