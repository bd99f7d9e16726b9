package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.ClientFleet;
import io.magpie.bench.internal.load.LatencyRecorder;
import io.magpie.bench.internal.load.LsbGates;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.LatencySummary;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.ProgressLine;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.ConnectionState;
import io.magpie.client.MessageListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reconnect storm: C SDK clients spread by the LSB over a cluster of two or more gates; one gate process is
 * killed, and its clients reconnect through the LSB with the SDK's backoff. Measures how fast they land
 * (kill -> CONNECTED per client) and how evenly over the survivors (the LSB's per-gate connection counts
 * before and after; the SDK does not tell which gate a reconnected session is on).
 */
@Command(name = "reconnect-storm", mixinStandardHelpOptions = true,
        description = {"Kill one gate of a cluster (two or more gates behind the LSB) and measure how fast and how"
                + " evenly its clients land on the survivors. See docs/benchmarks.md to start a second gate.",
            "Example: ./bench reconnect-storm --clients 1000 --kill-pid $(pgrep -f 'magpie.jar gate')"})
public final class ReconnectStormScenario extends Scenario {

    @Option(names = {"-c", "--clients"}, defaultValue = "1000", paramLabel = "C",
            description = "clients connected before the kill (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--kill-pid", required = true, paramLabel = "PID",
            description = "the gate process to kill (it must be one of the gates the LSB lists)")
    long killPid;

    @Option(names = "--kill-signal", defaultValue = "KILL", paramLabel = "KILL|TERM",
            description = "KILL = crash (default), TERM = graceful shutdown: the gate drains (paced RECONNECT,"
                    + " clients move make-before-break) and exits; reports the time to drain")
    String killSignal;

    @Option(names = "--backoff-base", defaultValue = "200ms", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "client reconnect backoff base (SDK default: ${DEFAULT-VALUE})")
    Duration backoffBase;

    @Option(names = "--backoff-max", defaultValue = "10s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "client reconnect backoff cap (SDK default: ${DEFAULT-VALUE})")
    Duration backoffMax;

    @Option(names = "--before-kill", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "wait after connecting so every gate has reported its count (default: ${DEFAULT-VALUE})")
    Duration beforeKill;

    @Option(names = "--settle-timeout", defaultValue = "90s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "give up waiting for clients to land after this (default: ${DEFAULT-VALUE})")
    Duration settleTimeout;

    @Option(names = "--observe", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "after the last client landed, wait for the gates to report before reading the LSB's"
                    + " counts (default: ${DEFAULT-VALUE})")
    Duration observe;

    /** One client's storm. */
    private static final class Watch {
        volatile long droppedAt;
        volatile long landedAt;
        volatile boolean gaveUp;
    }

    @Override
    protected void validate() {
        if (clients < 2 || clients > 20_000) {
            throw new IllegalArgumentException("--clients must be 2..20000, got " + clients);
        }
        if (!killSignal.equals("KILL") && !killSignal.equals("TERM")) {
            throw new IllegalArgumentException("--kill-signal must be KILL or TERM, got " + killSignal);
        }
        if (killPid <= 0 || killPid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("--kill-pid must be another process's pid, got " + killPid);
        }
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("--backoff-max must not be below --backoff-base");
        }
    }

    @Override
    protected List<RunReport> run() throws Exception {
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        ProcessHandle victim = ProcessHandle.of(killPid).orElseThrow(() -> new IllegalArgumentException(
                "--kill-pid " + killPid + ": no such process"));
        LsbGates lsb = new LsbGates(common.server.lsbUrl, common.httpClient(), common.requestTimeout);
        List<LsbGates.Gate> gates = lsb.list();
        long active = gates.stream().filter(g -> g.state().equals("ACTIVE")).count();
        if (active < 2) {
            throw new IllegalStateException("the LSB at " + common.server.lsbUrl + " lists " + active + " ACTIVE gate(s) "
                    + gates + "; a reconnect storm needs at least two (see docs/benchmarks.md, 'a two-gate cluster')");
        }
        out.printf("reconnect-storm: %d clients over %d gates %s; will kill pid %d (%s) with SIG%s (run %s)%n",
                clients, active, gates.stream().map(LsbGates.Gate::gateId).toList(), killPid,
                victim.info().commandLine().orElse("?"), killSignal, common.runId());
        List<BenchUsers.User> users = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out).create(clients);
        Watch[] watches = new Watch[clients];
        LatencyRecorder landing = new LatencyRecorder();
        java.util.concurrent.atomic.AtomicLong killAt = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        try (ClientFleet fleet = new ClientFleet(common.clientConfig().autoReconnect(true).reconnectBackoffBase(backoffBase)
                .reconnectBackoffMax(backoffMax).build(), common.clientThreads())) {
            fleet.connect(users, u -> {
                Watch w = new Watch();
                watches[u.index()] = w;
                return new MessageListener() {
                    @Override
                    public void onConnectionStateChanged(ConnectionState state) {
                        long now = System.nanoTime();
                        if (now < killAt.get()) {
                            return;
                        }
                        if (state == ConnectionState.RECONNECTING && w.droppedAt == 0) {
                            w.droppedAt = now;
                        } else if (state == ConnectionState.CONNECTED && w.droppedAt != 0 && w.landedAt == 0) {
                            w.landedAt = now;
                            landing.recordNanos(now - killAt.get());
                        } else if ((state == ConnectionState.DISCONNECTED || state == ConnectionState.KICKED)
                                && w.droppedAt != 0 && w.landedAt == 0) {
                            w.gaveUp = true;
                        }
                    }
                };
            }, common.setupParallelism, common.setupTimeout, out);
            Thread.sleep(beforeKill.toMillis());
            List<LsbGates.Gate> before = lsb.list();
            out.println("  LSB view before the kill: " + describe(before));
            List<String[]> timeline = new ArrayList<>();
            timeline.add(row("before", before));
            killAt.set(System.nanoTime());
            boolean sent = killSignal.equals("KILL") ? victim.destroyForcibly() : victim.destroy();
            if (!sent) {
                throw new IllegalStateException("could not signal pid " + killPid + " (not permitted?)");
            }
            long settleEnd = killAt.get() + settleTimeout.toNanos();
            // SIGTERM drains the gate: its process exits once its last client moved (or at its drain deadline)
            java.util.concurrent.CompletableFuture<Long> exitedAt = victim.onExit().thenApply(p -> System.nanoTime());
            long[] lastLanded = {0};
            try (Ticker ticker = new Ticker(() -> {
                long now = System.nanoTime();
                long dropped = count(watches, w -> w.droppedAt != 0);
                long landed = count(watches, w -> w.landedAt != 0);
                long gaveUp = count(watches, w -> w.gaveUp);
                Histogram interval = landing.interval();
                out.println(ProgressLine.format((now - killAt.get()) / 1_000_000_000L, "storm", landed - lastLanded[0],
                        "landed/s (" + (dropped - landed - gaveUp) + " reconnecting)", landed, gaveUp, 0,
                        interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(99) / 1000.0,
                        landing.totalPercentileMs(99)));
                lastLanded[0] = landed;
                try {
                    timeline.add(row(String.format(Locale.ROOT, "+%ds", (now - killAt.get()) / 1_000_000_000L), lsb.list()));
                } catch (IllegalStateException e) {
                    timeline.add(new String[] {"+" + (now - killAt.get()) / 1_000_000_000L + "s", "LSB: " + e.getMessage()});
                }
            })) {
                // drops are seen within milliseconds of a kill; give them a moment before counting what is pending
                Thread.sleep(1_000);
                while (System.nanoTime() < settleEnd
                        && (count(watches, w -> w.droppedAt != 0 && w.landedAt == 0 && !w.gaveUp) > 0
                        || (killSignal.equals("TERM") && !exitedAt.isDone()))) {
                    Thread.sleep(100);
                }
                out.printf("  waiting %s for the gates to report their counts...%n", DurationConverter.format(observe));
                Thread.sleep(observe.toMillis());
            }
            List<LsbGates.Gate> after = lsb.list();
            timeline.add(row("after", after));
            long drainNanos = exitedAt.isDone() ? exitedAt.join() - killAt.get() : -1;
            return List.of(report(watches, fleet, landing.total(), killAt.get(), drainNanos, before, after, timeline,
                    machine, started));
        }
    }

    private RunReport report(Watch[] watches, ClientFleet fleet, Histogram landing, long killAt, long drainNanos,
                             List<LsbGates.Gate> before,
                             List<LsbGates.Gate> after, List<String[]> timeline, MachineInfo machine, Instant started) {
        long dropped = count(watches, w -> w.droppedAt != 0);
        long landed = count(watches, w -> w.landedAt != 0);
        long gaveUp = count(watches, w -> w.gaveUp);
        long pending = dropped - landed - gaveUp;
        long lastLanding = 0;
        Map<String, Integer> droppedByGate = new TreeMap<>();
        for (int i = 0; i < watches.length; i++) {
            if (watches[i].droppedAt != 0) {
                droppedByGate.merge(fleet.initialGateOf(i), 1, Integer::sum);
            }
            lastLanding = Math.max(lastLanding, watches[i].landedAt);
        }
        double stormSeconds = lastLanding == 0 ? 0 : (lastLanding - killAt) / 1e9;
        Optional<String> byDrops = droppedByGate.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey);
        // a drain moves clients make-before-break, so few or none drop: then the gate that left is the one
        // no longer ACTIVE
        Optional<String> killedGate = byDrops.isPresent() ? byDrops : before.stream().map(LsbGates.Gate::gateId)
                .filter(id -> after.stream().noneMatch(g -> g.gateId().equals(id) && g.state().equals("ACTIVE")))
                .findFirst();
        RunReport.Builder r = report("reconnect-storm", started, machine)
                .param("clients", clients).param("gates", before.size()).param("kill_signal", killSignal)
                .param("backoff_base", backoffBase.toMillis() + "ms").param("backoff_max", backoffMax.toMillis() + "ms")
                .measuredSeconds(stormSeconds)
                .throughput(stormSeconds > 0 ? landed / stormSeconds : 0, "reconnects/s")
                .latency(LatencySummary.ofMicros(landing), "kill -> the client's session is CONNECTED again")
                .failures(new Failures(gaveUp, pending, 0));
        r.result("clients per gate at connect (LOGIN_ACK)", fleet.initialGates().toString())
                .result("killed gate", killedGate.orElse("none of the clients dropped: is --kill-pid a gate?"))
                .result("clients dropped by the kill", dropped + " (by initial gate: " + droppedByGate + ")")
                .result("landed again", landed + " in " + String.format(Locale.ROOT, "%.1f s", stormSeconds))
                .result("time until 50% / 90% / 99% of them landed", landing.getTotalCount() == 0 ? "-"
                        : Numbers.ms(landing.getValueAtPercentile(50) / 1000.0) + " / "
                        + Numbers.ms(landing.getValueAtPercentile(90) / 1000.0) + " / "
                        + Numbers.ms(landing.getValueAtPercentile(99) / 1000.0) + " ms")
                .result("gave up (DISCONNECTED/KICKED)", Long.toString(gaveUp))
                .result("time to drain (SIGTERM -> the gate process exited)", !killSignal.equals("TERM") ? "-"
                        : drainNanos < 0 ? "did not exit within --settle-timeout"
                        : String.format(Locale.ROOT, "%.1f s", drainNanos / 1e9))
                .result("still reconnecting at the settle timeout", Long.toString(pending));
        Map<String, Integer> beforeCount = before.stream().collect(Collectors.toMap(LsbGates.Gate::gateId,
                LsbGates.Gate::connections));
        List<Integer> gains = new ArrayList<>();
        StringBuilder per = new StringBuilder();
        for (LsbGates.Gate g : after) {
            if (killedGate.isPresent() && g.gateId().equals(killedGate.get())) {
                continue;
            }
            int gain = g.connections() - beforeCount.getOrDefault(g.gateId(), 0);
            gains.add(gain);
            per.append(g.gateId()).append(": +").append(gain).append(" (now ").append(g.connections()).append(") ");
        }
        r.result("landed per survivor (LSB counts after - before)", per.toString().strip());
        if (gains.size() >= 2) {
            int max = gains.stream().mapToInt(Integer::intValue).max().orElse(0);
            int min = gains.stream().mapToInt(Integer::intValue).min().orElse(0);
            r.result("evenness (smallest / largest gain)", min + " / " + max
                    + (max > 0 ? String.format(Locale.ROOT, " = %.2f", (double) min / max) : ""));
        } else {
            r.note("One survivor: evenness needs three or more gates (kill one, two survive).");
        }
        if (after.stream().anyMatch(g -> killedGate.isPresent() && g.gateId().equals(killedGate.get()))) {
            r.note("The LSB still listed the killed gate at the end: its registry entry had not expired yet.");
        }
        timeline.stream().filter(row -> killedGate.isPresent() && row.length > 1 && !row[0].equals("before")
                        && String.join(" ", row).contains(killedGate.get() + " ACTIVE"))
                .reduce((a, b) -> b).ifPresent(last -> r.note("The LSB listed the killed gate as ACTIVE until " + last[0]
                        + " after the kill; clients it sent there failed to connect and backed off."));
        r.section("LSB view during the storm (connections reported / recent assignments per gate)", table(timeline));
        r.plot("kill -> CONNECTED", landing);
        r.note("Per-gate landing counts come from the gates' own reports through the LSB (refreshed every few"
                + " seconds); the client SDK does not expose the gate of a reconnected session.");
        return r.build();
    }

    private static String[] row(String when, List<LsbGates.Gate> gates) {
        String[] cells = new String[gates.size() + 1];
        cells[0] = when;
        for (int i = 0; i < gates.size(); i++) {
            LsbGates.Gate g = gates.get(i);
            cells[i + 1] = g.gateId() + " " + g.state() + " " + g.connections() + " / " + g.recentAssignments()
                    + " (age " + g.reportAgeMillis() + " ms)";
        }
        return cells;
    }

    private static String table(List<String[]> rows) {
        StringBuilder md = new StringBuilder("| time | gates |\n|---|---|\n");
        for (String[] row : rows) {
            md.append("| ").append(row[0]).append(" | ")
                    .append(String.join("; ", java.util.Arrays.copyOfRange(row, 1, row.length))).append(" |\n");
        }
        return md.toString();
    }

    private static String describe(List<LsbGates.Gate> gates) {
        Map<String, String> m = new HashMap<>();
        gates.forEach(g -> m.put(g.gateId(), g.state() + " " + g.connections()));
        return new TreeMap<>(m).toString();
    }

    private static long count(Watch[] watches, java.util.function.Predicate<Watch> p) {
        long n = 0;
        for (Watch w : watches) {
            if (w != null && p.test(w)) {
                n++;
            }
        }
        return n;
    }
}
