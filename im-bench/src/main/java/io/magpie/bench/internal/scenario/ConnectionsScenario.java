package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.CpuWindow;
import io.magpie.bench.internal.load.ConnectPhase;
import io.magpie.bench.internal.load.GateLogins;
import io.magpie.bench.internal.load.LatencyRecorder;
import io.magpie.bench.internal.load.ProcessProbe;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.load.WorkerReport;
import io.magpie.bench.internal.report.Failures;
import io.magpie.bench.internal.report.HeapDiff;
import io.magpie.bench.internal.report.LatencySummary;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.ProgressLine;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.protocol.auth.TokenClaims;
import io.magpie.protocol.auth.TokenCodec;
import io.magpie.protocol.proto.Platform;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Idle authenticated connections: opens C connections (TCP connect + LOGIN + LOGIN_ACK) to one gate with
 * bounded concurrency, spread over several loopback source addresses, and over several bench processes
 * when C exceeds what one process may hold open; reports the connect+login rate and latency, then (with
 * {@code --server-pid}) the server's heap per connection after a full GC and its RSS, and holds the
 * connections idle (PING only) to check they stay.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = {"C idle authenticated connections: connect+login rate and latency, gate heap per connection"
                + " (after GC) and RSS with --server-pid.",
            "Example: ./bench connections -c 10000 --server-pid $(pgrep -f 'magpie.jar standalone')"})
public final class ConnectionsScenario extends Scenario {

    @Option(names = {"-c", "--connections"}, defaultValue = "1000", paramLabel = "C",
            description = "connections to open (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--devices-per-user", defaultValue = "1", paramLabel = "D",
            description = "connections per registered user, each its own device (default: ${DEFAULT-VALUE})")
    int devicesPerUser;

    @Option(names = "--concurrency", defaultValue = "200", paramLabel = "N",
            description = "connect+logins in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--gate", paramLabel = "HOST:PORT",
            description = "the gate's TCP listener (default: the one the LSB hands out)")
    String gate;

    @Option(names = "--source-addresses", paramLabel = "N",
            description = "loopback source addresses 127.0.0.1..127.0.0.N to spread sockets over"
                    + " (default: one per 10,000 connections)")
    Integer sourceAddresses;

    @Option(names = "--per-process", defaultValue = "15000", paramLabel = "N",
            description = "connections one bench process holds; more start worker processes (default:"
                    + " ${DEFAULT-VALUE}, below a 20,000 open-file limit)")
    int perProcess;

    @Option(names = "--worker-heap", defaultValue = "512m", paramLabel = "SIZE",
            description = "-Xmx of each worker process (default: ${DEFAULT-VALUE})")
    String workerHeap;

    @Option(names = "--login-timeout", defaultValue = "15s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "connect + LOGIN_ACK limit per connection (default: ${DEFAULT-VALUE})")
    Duration loginTimeout;

    @Option(names = "--warmup-connections", paramLabel = "N",
            description = "connections opened and closed before the measured phase, per process, so the JIT"
                    + " is warm (default: 2000, at most C)")
    Integer warmupConnections;

    @Option(names = "--settle", defaultValue = "3s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "pause after connecting before the heap is measured (default: ${DEFAULT-VALUE})")
    Duration settle;

    @Option(names = "--hold", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "keep the connections open and idle this long, counting any the gate drops"
                    + " (default: ${DEFAULT-VALUE})")
    Duration hold;

    @Option(names = "--token-secret-file", paramLabel = "FILE",
            description = "mint login tokens with the server's token secret (e.g. ~/.magpie/standalone/token-secret)"
                    + " instead of one account-API login per connection; users are still registered")
    Path tokenSecretFile;

    @Override
    protected void validate() {
        if (connections < 1 || connections > 1_000_000) {
            throw new IllegalArgumentException("--connections must be 1..1000000, got " + connections);
        }
        if (devicesPerUser < 1 || devicesPerUser > 1000) {
            throw new IllegalArgumentException("--devices-per-user must be 1..1000, got " + devicesPerUser);
        }
        if (concurrency < 1 || concurrency > 10_000) {
            throw new IllegalArgumentException("--concurrency must be 1..10000, got " + concurrency);
        }
        if (perProcess < 1 || perProcess > 60_000) {
            throw new IllegalArgumentException("--per-process must be 1..60000, got " + perProcess);
        }
        if ((connections + perProcess - 1) / perProcess > 64) {
            throw new IllegalArgumentException("--connections / --per-process needs more than 64 worker processes");
        }
        if (sourceAddresses != null && (sourceAddresses < 1 || sourceAddresses > 254)) {
            throw new IllegalArgumentException("--source-addresses must be 1..254, got " + sourceAddresses);
        }
        if (!workerHeap.matches("\\d+[mMgG]")) {
            throw new IllegalArgumentException("--worker-heap must look like 512m or 2g, got " + workerHeap);
        }
        if (hold.isNegative() || settle.isNegative() || hold.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("--hold and --settle must be 0..24h");
        }
    }

    @Override
    protected List<RunReport> run() throws Exception {
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        int processes = (connections + perProcess - 1) / perProcess;
        int nSources = sourceAddresses != null ? sourceAddresses : Math.max(1, (connections + 9_999) / 10_000);
        List<InetAddress> sources = loopbackSources(nSources);
        InetSocketAddress target = gateAddress();
        out.printf("connections: %d to gate %s from %d source address(es) in %d process(es), %d in flight (run %s)%n",
                connections, target, nSources, processes, concurrency, common.runId());
        int userCount = (connections + devicesPerUser - 1) / devicesPerUser;
        BenchUsers benchUsers = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out);
        List<BenchUsers.User> users = benchUsers.create(userCount);
        List<String> tokens = tokenSecretFile == null ? benchUsers.deviceTokens(users, connections) : mint(users);

        OptionalLong heapBefore = OptionalLong.empty();
        OptionalLong rssBefore = OptionalLong.empty();
        Map<String, long[]> classesBefore = Map.of();
        if (common.serverPid > 0) {
            out.println("  measuring the server's heap before (jcmd GC.run + GC.heap_info, GC.class_histogram)...");
            heapBefore = ProcessProbe.heapUsedAfterGc(common.serverPid);
            rssBefore = ProcessProbe.rssBytes(common.serverPid);
            classesBefore = ProcessProbe.classHistogram(common.serverPid);
        }
        if (processes == 1 && warmups() > 0) {
            out.printf("  warming up: %d connections opened and closed, not measured...%n", warmups());
            ConnectPhase.warmUp(common.clientThreads(), target, sources, tokens, warmups(), concurrency, loginTimeout,
                    common.setupTimeout, 0, 1);
        }
        CpuWindow cpu = CpuWindow.start(common.serverPid);
        Run m = processes == 1 ? inProcess(target, sources, tokens, ConnectPhase.warmUpPorts(warmups(), sources))
                : inWorkers(target, sources, tokens, processes);
        Map<String, String> connectCpu = cpu.stop();
        try {
            Thread.sleep(settle.toMillis());
            OptionalLong heapAfter = OptionalLong.empty();
            OptionalLong rssAfter = OptionalLong.empty();
            Map<String, long[]> classesAfter = Map.of();
            if (common.serverPid > 0) {
                out.println("  measuring the server's heap with the connections open...");
                heapAfter = ProcessProbe.heapUsedAfterGc(common.serverPid);
                rssAfter = ProcessProbe.rssBytes(common.serverPid);
                classesAfter = ProcessProbe.classHistogram(common.serverPid);
            }
            out.printf("  holding %d connections idle for %s...%n", m.result.connected(), DurationConverter.format(hold));
            Thread.sleep(hold.toMillis());
            long dropped = m.finish();
            RunReport.Builder b = report(m, dropped, heapBefore, heapAfter, rssBefore, rssAfter, target, nSources,
                    processes, machine, started);
            connectCpu.forEach((k, v) -> b.result(k + " (connect phase)", v));
            if (!classesBefore.isEmpty() && !classesAfter.isEmpty() && m.result.connected() > 0) {
                long n = m.result.connected();
                b.result("server heap per connection, every class (class histogram, after - before)",
                        String.format(Locale.ROOT, "%.0f bytes", (double) HeapDiff.net(classesBefore, classesAfter) / n))
                        .result("server heap per connection, classes with >= 0.5 new instances per connection",
                                String.format(Locale.ROOT, "%.0f bytes",
                                        (double) HeapDiff.perUnitClasses(classesBefore, classesAfter, n, 0.5) / n));
                b.section("Server heap growth by class, per open connection (GC.class_histogram, after - before)",
                        HeapDiff.table(HeapDiff.top(classesBefore, classesAfter, 20), m.result.connected(),
                                "connection"));
            }
            return List.of(b.build());
        } finally {
            m.close();
        }
    }

    private int warmups() {
        return Math.min(connections, warmupConnections == null ? 2000 : warmupConnections);
    }

    /** What the connect phase produced, and how to end it. */
    private static final class Run implements AutoCloseable {
        ConnectPhase.Result result;
        Histogram latency;
        /** Closes every connection; returns how many the server had dropped before. Idempotent. */
        java.util.function.LongSupplier finisher;
        private Long dropped;

        long finish() {
            if (dropped == null) {
                dropped = finisher.getAsLong();
            }
            return dropped;
        }

        @Override
        public void close() {
            finish();
        }
    }

    private Run inProcess(InetSocketAddress target, List<InetAddress> sources, List<String> tokens, int skipPorts)
            throws InterruptedException {
        GateLogins logins = new GateLogins(common.clientThreads());
        ConnectPhase.Counters counters = new ConnectPhase.Counters();
        long t0 = System.nanoTime();
        long[] last = {0, System.nanoTime()};
        ConnectPhase.Result result;
        try (Ticker ticker = new Ticker(() -> {
            long now = System.nanoTime();
            long done = counters.connected.sum();
            double rate = (done - last[0]) / ((now - last[1]) / 1e9);
            last[0] = done;
            last[1] = now;
            Histogram interval = counters.latency.interval();
            out.println(ProgressLine.format((now - t0) / 1_000_000_000L, "connect", rate, "conn/s", done,
                    counters.failed.sum(), 0, interval.getTotalCount() == 0 ? -1
                            : interval.getValueAtPercentile(99) / 1000.0, counters.latency.totalPercentileMs(99)));
        })) {
            result = ConnectPhase.run(logins, target, sources, tokens, concurrency, loginTimeout, common.setupTimeout,
                    counters, skipPorts, 0, 1);
        }
        Run run = new Run();
        run.result = result;
        run.latency = counters.latency.total();
        run.finisher = () -> {
            long dropped = logins.closedAfterLogin();
            logins.close();
            return dropped;
        };
        return run;
    }

    private Run inWorkers(InetSocketAddress target, List<InetAddress> sources, List<String> tokens, int processes)
            throws IOException, InterruptedException {
        List<WorkerProcess> workers = new ArrayList<>();
        Run run = new Run();
        run.finisher = () -> {
            workers.forEach(WorkerProcess::stop);
            return workers.stream().mapToLong(WorkerProcess::closedAfterLogin).sum();
        };
        try {
            int share = (tokens.size() + processes - 1) / processes;
            for (int p = 0; p < processes; p++) {
                List<String> slice = tokens.subList(Math.min(tokens.size(), p * share),
                        Math.min(tokens.size(), (p + 1) * share));
                workers.add(WorkerProcess.start(p, slice, target, sources, concurrency / processes + 1, loginTimeout,
                        common.setupTimeout, workerHeap, common.clientThreads(),
                        Math.min(slice.size(), warmups() / processes), processes));
            }
            long t0 = System.nanoTime();
            long deadline = t0 + common.setupTimeout.toNanos() + TimeUnit.SECONDS.toNanos(30);
            long lastPrint = t0;
            long lastDone = 0;
            while (workers.stream().anyMatch(w -> w.report() == null && w.alive()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                long now = System.nanoTime();
                if (now - lastPrint >= 1_000_000_000L) {
                    long done = workers.stream().mapToLong(WorkerProcess::connected).sum();
                    long failed = workers.stream().mapToLong(WorkerProcess::failed).sum();
                    out.println(ProgressLine.format((now - t0) / 1_000_000_000L, "connect",
                            (done - lastDone) / ((now - lastPrint) / 1e9), "conn/s", done, failed, 0, -1, -1));
                    lastDone = done;
                    lastPrint = now;
                }
            }
            Histogram all = LatencyRecorder.emptyHistogram();
            long connected = 0;
            long failed = 0;
            long start = Long.MAX_VALUE;
            long end = 0;
            String error = null;
            boolean late = false;
            for (WorkerProcess w : workers) {
                WorkerReport r = w.report();
                if (r == null) {
                    throw new IllegalStateException("worker " + w.index() + " did not report its connections"
                            + (w.alive() ? " in time" : " (it exited; see its stderr above)"));
                }
                all.add(r.latency());
                connected += r.result().connected();
                failed += r.result().failed();
                start = Math.min(start, r.result().startEpochMillis());
                end = Math.max(end, r.result().endEpochMillis());
                error = error != null ? error : r.result().firstError();
                late |= r.result().deadlinePassed();
            }
            run.result = new ConnectPhase.Result(connected, failed, start, end, error, late);
            run.latency = all;
            return run;
        } catch (IOException | InterruptedException | RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private RunReport.Builder report(Run m, long dropped, OptionalLong heapBefore, OptionalLong heapAfter, OptionalLong rssBefore,
                             OptionalLong rssAfter, InetSocketAddress target, int nSources, int processes,
                             MachineInfo machine, Instant started) {
        ConnectPhase.Result r = m.result;
        RunReport.Builder b = report("connections", started, machine)
                .param("connections", connections).param("concurrency", concurrency)
                .param("warmup_connections", warmups())
                .param("source_addresses", nSources).param("processes", processes)
                .param("devices_per_user", devicesPerUser)
                .measuredSeconds(r.seconds())
                .throughput(r.connected() / r.seconds(), "connect+login/s")
                .latency(LatencySummary.ofMicros(m.latency), "TCP connect -> LOGIN_ACK per connection")
                .failures(new Failures(r.failed(), r.deadlinePassed() ? connections - r.connected() - r.failed() : 0,
                        dropped));
        b.result("gate", target.toString())
                .result("connections open", r.connected() + " of " + connections)
                .result("failed connect/login", r.failed() + (r.firstError() == null ? "" : " (first: " + r.firstError() + ")"))
                .result("dropped by the server while idle (counted as lost)", Long.toString(dropped));
        if (heapBefore.isPresent() && heapAfter.isPresent() && r.connected() > 0) {
            long delta = heapAfter.getAsLong() - heapBefore.getAsLong();
            b.result("server heap after full GC, before / with connections",
                    Numbers.bytes(heapBefore.getAsLong()) + " / " + Numbers.bytes(heapAfter.getAsLong()))
                    .result("server heap per connection", String.format(Locale.ROOT, "%.0f bytes", (double) delta / r.connected()));
        } else if (common.serverPid > 0) {
            b.result("server heap per connection", "n/a (jcmd could not read pid " + common.serverPid + ")");
        } else {
            b.result("server heap per connection", "not measured: pass --server-pid");
        }
        if (rssBefore.isPresent() && rssAfter.isPresent() && r.connected() > 0) {
            b.result("server RSS before / with connections",
                    Numbers.bytes(rssBefore.getAsLong()) + " / " + Numbers.bytes(rssAfter.getAsLong()))
                    .result("server RSS per connection", String.format(Locale.ROOT, "%.0f bytes",
                            (double) (rssAfter.getAsLong() - rssBefore.getAsLong()) / r.connected()));
        }
        b.plot("connect -> LOGIN_ACK", m.latency);
        b.note("The heap delta covers the whole server process: in standalone mode that is gate, logic, router and the"
                + " embedded Kafka broker in one JVM; only the gate keeps per-connection state.");
        if (tokenSecretFile != null) {
            b.note("Tokens were minted with the server's secret (--token-secret-file); the gate verifies them the same way.");
        }
        b.note("RSS only grows when the JVM commits more heap or direct memory; with -Xms already committed it says"
                + " little per connection: the heap figure is the one to read.");
        return b;
    }

    private List<String> mint(List<BenchUsers.User> users) throws IOException {
        byte[] secret = Files.readString(tokenSecretFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        TokenCodec codec = new TokenCodec(secret, clock);
        long expires = clock.millis() + TimeUnit.DAYS.toMillis(1);
        List<String> tokens = new ArrayList<>(connections);
        for (int j = 0; j < connections; j++) {
            BenchUsers.User u = users.get(j % users.size());
            String device = j < users.size() ? u.deviceId() : u.deviceId() + "-d" + (j / users.size());
            tokens.add(codec.issue(new TokenClaims(u.uid(), device, Platform.DESKTOP, expires)));
        }
        return tokens;
    }

    private InetSocketAddress gateAddress() {
        if (gate != null) {
            int colon = gate.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--gate must be HOST:PORT, got '" + gate + "'");
            }
            return new InetSocketAddress(gate.substring(0, colon), Integer.parseInt(gate.substring(colon + 1)));
        }
        GateAddress g = new LsbClient(common.server.lsbUrl, null, null, common.httpClient(), common.requestTimeout).pickGate();
        return new InetSocketAddress(g.host(), g.tcpPort());
    }

    static List<InetAddress> loopbackSources(int n) throws UnknownHostException {
        List<InetAddress> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
        }
        return list;
    }
}
