package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.ClientFleet;
import io.magpie.bench.internal.load.MessageTracker;
import io.magpie.bench.internal.load.OpenLoop;
import io.magpie.bench.internal.load.PacingSchedule;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.report.ErrorBreakdown;
import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.LatencySummary;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.bench.internal.report.SummaryLine;
import io.magpie.client.MagpieClient;
import io.magpie.client.MessageListener;
import io.magpie.protocol.proto.ConversationType;
import io.magpie.protocol.proto.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * 1:1 open loop: messages leave at a fixed offered rate whatever the server does, spread round-robin over
 * N pairs, and latency is measured from each message's intended send time (HdrHistogram; no coordinated
 * omission). With several {@code --rates} it sweeps them in order on the same connections and reports
 * the saturation point.
 */
@Command(name = "pair-open", mixinStandardHelpOptions = true,
        description = {"1:1 open loop at a fixed offered rate; latency from the intended send time"
                + " (coordinated-omission free). Several --rates sweep and find the saturation point.",
            "Example: ./bench pair-open --pairs 20 --rates 1000,2000,4000,8000 --duration 20s"})
public final class PairOpenScenario extends Scenario {

    @Mixin
    TimingOptions timing;

    @Mixin
    ReadOptions reading;

    @Option(names = {"-n", "--pairs"}, defaultValue = "10", paramLabel = "N",
            description = "sender/recipient pairs the rate is spread over (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = {"-r", "--rates", "--rate"}, split = ",", defaultValue = "1000", paramLabel = "MSGS_PER_S",
            description = "offered rate(s) in msgs/s, comma-separated for a sweep (default: ${DEFAULT-VALUE})")
    List<Double> rates;

    @Option(names = "--max-outstanding", defaultValue = "100000", paramLabel = "N",
            description = "stop a step when this many messages are unfinished: the server fell behind"
                    + " (default: ${DEFAULT-VALUE})")
    long maxOutstanding;

    @Option(names = "--saturation-ratio", defaultValue = "0.95", paramLabel = "R",
            description = "a step delivering less than R x the offered rate is saturated (default: ${DEFAULT-VALUE})")
    double saturationRatio;

    @Option(names = "--max-p99", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "a step whose p99 exceeds this is saturated: the server queues (default: ${DEFAULT-VALUE})")
    java.time.Duration maxP99;

    @Option(names = "--cooldown", defaultValue = "3s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "pause between sweep steps (default: ${DEFAULT-VALUE})")
    java.time.Duration cooldown;

    private volatile MessageRun current;
    /**
     * First message key of the next step: keys (and so client msg ids) must never repeat within a run, or
     * the server rightly treats a later step's message as a resend of an earlier one and does not push it.
     */
    private long keyBase;

    @Override
    protected void validate() {
        timing.validate();
        reading.validate();
        if (pairs < 1 || pairs > 10_000) {
            throw new IllegalArgumentException("--pairs must be 1..10000, got " + pairs);
        }
        if (rates.isEmpty() || rates.size() > 50) {
            throw new IllegalArgumentException("--rates takes 1..50 rates, got " + rates.size());
        }
        for (double r : rates) {
            if (!(r > 0) || r > 2_000_000) {
                throw new IllegalArgumentException("each rate must be > 0 and <= 2000000 msgs/s, got " + r);
            }
            if (r * (timing.warmup.toSeconds() + timing.duration.toSeconds()) > 500_000_000L) {
                throw new IllegalArgumentException("rate " + r + " x (warmup + duration) exceeds 500 million messages;"
                        + " shorten --duration");
            }
        }
        if (maxOutstanding < 100 || maxOutstanding > 10_000_000) {
            throw new IllegalArgumentException("--max-outstanding must be 100..10000000, got " + maxOutstanding);
        }
        if (maxP99.isNegative() || maxP99.isZero()) {
            throw new IllegalArgumentException("--max-p99 must be positive, got " + maxP99);
        }
        if (!(saturationRatio > 0 && saturationRatio <= 1)) {
            throw new IllegalArgumentException("--saturation-ratio must be in (0, 1], got " + saturationRatio);
        }
    }

    @Override
    protected List<RunReport> run() throws Exception {
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        out.printf("pair-open: %d pairs, rates %s msgs/s, warmup %s, measure %s per rate%s (run %s)%n", pairs, rates,
                DurationConverter.format(timing.warmup), DurationConverter.format(timing.duration), reading.describe(),
                common.runId());
        List<BenchUsers.User> users = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out).create(2 * pairs);
        List<RateSweep.Step> steps = new ArrayList<>();
        List<RunReport> stepReports = new ArrayList<>();
        List<Histogram> stepHistograms = new ArrayList<>();
        try (ClientFleet fleet = new ClientFleet(common.clientConfig().build(), common.clientThreads())) {
            List<MagpieClient> clients = fleet.connect(users, (u, c) -> u.index() % 2 == 1 ? recipient(c) : null,
                    common.setupParallelism, common.setupTimeout, out);
            for (int i = 0; i < rates.size(); i++) {
                if (i > 0) {
                    Thread.sleep(cooldown.toMillis());
                }
                double rate = rates.get(i);
                out.printf("-- step %d/%d: %s msgs/s offered%n", i + 1, rates.size(), Numbers.whole(rate));
                MessageRun run = new MessageRun(new MessageTracker(null), reading.tracker(), timing.payload(), out);
                current = run;
                RateSweep.Step step = step(run, clients, users, rate);
                steps.add(step);
                RunReport stepReport = stepReport(run, step, machine, started);
                stepReports.add(stepReport);
                stepHistograms.add(run.tracker().deliveryLatency().total());
                out.println(SummaryLine.of(stepReport));
            }
        }
        if (steps.size() == 1) {
            return stepReports;
        }
        return List.of(sweepReport(steps, stepReports, stepHistograms, machine, started));
    }

    /** The listener of recipient {@code client}: hands each delivery to the current step's run. */
    private MessageListener recipient(MagpieClient client) {
        return new MessageListener() {
            @Override
            public void onMessage(Message m) {
                MessageRun r = current;
                if (r != null) {
                    r.delivered(client, m);
                }
            }
        };
    }

    private double maxP99Ms() {
        return maxP99.toNanos() / 1e6;
    }

    private RateSweep.Step step(MessageRun run, List<MagpieClient> clients, List<BenchUsers.User> users, double rate)
            throws InterruptedException {
        MessageTracker tracker = run.tracker();
        double seconds = (timing.warmup.toMillis() + timing.duration.toMillis()) / 1000.0;
        long start = System.nanoTime() + 50_000_000L;
        PacingSchedule schedule = PacingSchedule.forDuration(start, rate, seconds);
        OpenLoop.Outcome outcome;
        long base = keyBase;
        try (Ticker ticker = new Ticker(() -> run.tick(timing.deliveryTimeout, "msg/s"))) {
            outcome = OpenLoop.drive(schedule, start + timing.warmup.toNanos(),
                    () -> run.startWindow(common.serverPid, common.hopProbe()),
                    i -> {
                        int pair = (int) (i % pairs);
                        run.send(clients.get(2 * pair), pair, base + i, schedule.intendedNanos(i),
                                ConversationType.SINGLE, users.get(2 * pair + 1).uid(), 1);
                    }, tracker::tracked, maxOutstanding);
            run.endWindow();
            run.drain(timing.drain);
        }
        keyBase = base + outcome.issued();
        if (outcome.aborted()) {
            out.printf("   step stopped early: more than %d messages outstanding after %d sends%n", maxOutstanding,
                    outcome.issued());
        }
        double window = run.windowSeconds();
        return new RateSweep.Step(rate, window > 0 ? tracker.deliveriesInWindow() / window : 0,
                LatencySummary.ofMicros(tracker.deliveryLatency().total()),
                LatencySummary.ofMicros(tracker.deliveryFromSend().total()),
                run.failures(), tracker.sent(), outcome.aborted());
    }

    private RunReport.Builder base(MachineInfo machine, Instant started) {
        return report("pair-open", started, machine).param("pairs", pairs)
                .param("max_p99", DurationConverter.format(maxP99))
                .param("duration", timing.duration.toSeconds() + "s").param("warmup", timing.warmup.toSeconds() + "s")
                .param("payload_bytes", timing.payloadBytes).param("read_every", reading.param());
    }

    private RunReport stepReport(MessageRun run, RateSweep.Step step, MachineInfo machine, Instant started) {
        MessageTracker t = run.tracker();
        RunReport.Builder r = base(machine, started).param("rate", Numbers.whole(step.offered()));
        Histogram corrected = t.deliveryLatency().total();
        run.fill(r, corrected, "send -> delivered, from the intended send time (coordinated-omission corrected)",
                step.achieved(), "delivered msg/s");
        r.result("offered rate", Numbers.whole(step.offered()) + " msg/s")
                .result("verdict", step.saturation(saturationRatio, maxP99Ms()).map(s -> "saturated: " + s).orElse("kept up"))
                .result("p99 uncorrected (from the actual send)", Numbers.ms(step.uncorrected().p99Ms()) + " ms")
                .result("generator lateness p99 / max (ms)", MessageRun.triple(t.sendDelay()));
        r.plot("corrected (intended send)", corrected).plot("uncorrected (actual send)", t.deliveryFromSend().total());
        return r.build();
    }

    private RunReport sweepReport(List<RateSweep.Step> steps, List<RunReport> stepReports, List<Histogram> histograms,
                                  MachineInfo machine, Instant started) {
        Optional<RateSweep.Step> saturation = RateSweep.saturationPoint(steps, saturationRatio, maxP99Ms());
        int headlineIndex = saturation.map(steps::indexOf).orElse(0);
        RunReport headline = stepReports.get(headlineIndex);
        RunReport.Builder r = base(machine, started)
                .param("rates", rates.stream().map(Numbers::whole).reduce((a, b) -> a + "," + b).orElse(""))
                .param("saturation_rate", saturation.map(s -> Numbers.whole(s.offered())).orElse("none"))
                .measuredSeconds(headline.measuredSeconds())
                .throughput(headline.throughput(), headline.throughputUnit())
                .latency(headline.latency(), headline.latencyWhat()
                        + (saturation.isPresent() ? " at the saturation rate" : " at the first rate (every rate saturated)"))
                .failures(new Failures(steps.stream().mapToLong(s -> s.failures().errors()).sum(),
                        steps.stream().mapToLong(s -> s.failures().timeouts()).sum(),
                        steps.stream().mapToLong(s -> s.failures().lost()).sum(),
                        steps.stream().map(s -> s.failures().errorCodes())
                                .reduce(ErrorBreakdown.EMPTY, ErrorBreakdown::plus)))
                .reads(headline.reads());
        r.result("saturation point", saturation.map(s -> Numbers.whole(s.offered()) + " msg/s offered, "
                + Numbers.whole(s.achieved()) + " delivered").orElse("every rate saturated: lower the rates"));
        saturation.flatMap(s -> RateSweep.nearest(steps, s.offered() / 2)).ifPresent(h -> r.result(
                "p99 at the step nearest half the saturation rate (" + Numbers.whole(h.offered()) + " msg/s)",
                Numbers.ms(h.latency().p99Ms()) + " ms"));
        headline.results().forEach((k, v) -> {
            if (k.startsWith("CPU") || k.startsWith("machine") || k.startsWith("server")) {
                r.result(k + " (headline step)", v);
            }
        });
        r.section("Sweep", RateSweep.table(steps, saturationRatio, maxP99Ms()));
        for (int i = 0; i < steps.size(); i++) {
            r.plot(Numbers.whole(steps.get(i).offered()) + " msg/s", histograms.get(i));
        }
        r.note("Errors, timeouts and lost messages are the sums over all steps"
                + (reading.every() > 0 ? "; READs are the headline step's (each step's report has its own)." : "."));
        return r.build();
    }
}
