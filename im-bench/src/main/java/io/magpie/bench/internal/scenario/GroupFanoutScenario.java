package io.magpie.bench.internal.scenario;

import io.magpie.bench.internal.load.BenchUsers;
import io.magpie.bench.internal.load.BoundedAsync;
import io.magpie.bench.internal.load.CpuWindow;
import io.magpie.bench.internal.load.DeliveryDeltas;
import io.magpie.bench.internal.load.WallClock;
import io.magpie.bench.internal.load.WorkerReport;
import io.magpie.bench.internal.load.ClientFleet;
import io.magpie.bench.internal.load.GroupApi;
import io.magpie.bench.internal.load.MessageTracker;
import io.magpie.bench.internal.load.OpenLoop;
import io.magpie.bench.internal.load.PacingSchedule;
import io.magpie.bench.internal.load.Ticker;
import io.magpie.bench.internal.report.MachineInfo;
import io.magpie.bench.internal.report.Numbers;
import io.magpie.bench.internal.report.RunReport;
import io.magpie.client.GateAddress;
import io.magpie.client.LsbClient;
import io.magpie.client.MagpieClient;
import io.magpie.protocol.proto.ConversationType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Group fan-out: G groups of M members, the first N of each online (all by default); S senders per group
 * send at a fixed total rate (open loop). Measures deliveries/s and latency to the last online member, from
 * the intended send time; offline members cost the server only their storage.
 * Groups are created through the account API's {@code POST /v1/groups} with their first
 * {@value #CREATE_BATCH} members; the owner adds the rest once connected, with GROUP invites of
 * {@value #CREATE_BATCH} uids each (the SDK's {@code Groups.inviteAll}), as an app does for a large group.
 */
@Command(name = "group-fanout", mixinStandardHelpOptions = true,
        description = {"Group fan-out: G groups of M online members, senders at a fixed rate; deliveries/s and"
                + " latency to the last member (open loop).",
            "Example: ./bench group-fanout --groups 1 --members 500 --rate 200 --duration 20s"})
public final class GroupFanoutScenario extends Scenario {

    /** Members named at creation, and per GROUP invite after it (the protocol's cap per invite is 500). */
    static final int CREATE_BATCH = 500;

    @Mixin
    TimingOptions timing;

    @Mixin
    ReadOptions reading;

    @Option(names = {"-g", "--groups"}, defaultValue = "1", paramLabel = "G",
            description = "groups (default: ${DEFAULT-VALUE})")
    int groups;

    @Option(names = {"-m", "--members"}, defaultValue = "100", paramLabel = "M",
            description = "members per group, owner included (default: ${DEFAULT-VALUE})")
    int members;

    @Option(names = "--online", paramLabel = "N",
            description = "members of each group that connect and receive, senders included (default: all M);"
                    + " the others stay offline")
    Integer online;

    @Option(names = {"-r", "--rate"}, defaultValue = "100", paramLabel = "MSGS_PER_S",
            description = "group messages per second over all groups (default: ${DEFAULT-VALUE});"
                    + " deliveries/s offered = rate x (M - 1)")
    double rate;

    @Option(names = {"-s", "--senders"}, defaultValue = "1", paramLabel = "S",
            description = "members of each group that send, taking turns (default: ${DEFAULT-VALUE})")
    int senders;

    @Option(names = "--receivers", defaultValue = "sdk", paramLabel = "lean|sdk",
            description = "who the online members other than the senders are: 'lean' = bare protocol connections in"
                    + " --receiver-processes worker JVMs that parse only what they must and PUSH_ACK (TCP only), so the"
                    + " server, not the bench, bounds the rate; 'sdk' = one MagpieClient each in this JVM"
                    + " (default: ${DEFAULT-VALUE})")
    String receiverMode;

    @Option(names = "--receiver-processes", defaultValue = "1", paramLabel = "N",
            description = "worker JVMs the lean receivers are spread over (default: ${DEFAULT-VALUE})")
    int receiverProcesses;

    // Default: the cores, shared among the processes. One thread reading 499 connections fell seconds behind a
    // fast gate, and the gate then resent what the receivers had not read yet (docs/benchmarks.md, "One socket
    // write per member").
    @Option(names = "--receiver-threads", paramLabel = "N",
            description = "event loop threads per lean receiver process (default: the cores divided by"
                    + " --receiver-processes, at least 1)")
    Integer receiverThreads;

    @Option(names = "--receiver-heap", defaultValue = "256m", paramLabel = "SIZE",
            description = "-Xmx of each lean receiver process (default: ${DEFAULT-VALUE})")
    String receiverHeap;

    @Option(names = "--max-outstanding", defaultValue = "20000", paramLabel = "N",
            description = "stop when this many messages are not fully delivered (default: ${DEFAULT-VALUE})")
    long maxOutstanding;

    @Override
    protected void validate() {
        timing.validate();
        reading.validate();
        if (groups < 1 || groups > 1000) {
            throw new IllegalArgumentException("--groups must be 1..1000, got " + groups);
        }
        if (members < 2 || members > 10_000) {
            throw new IllegalArgumentException("--members must be 2..10000, got " + members);
        }
        if (online != null && (online < 2 || online > members)) {
            throw new IllegalArgumentException("--online must be 2..members (" + members + "), got " + online);
        }
        if ((long) groups * onlineMembers() > 20_000) {
            throw new IllegalArgumentException("--groups x online members is limited to 20000 connections from one"
                    + " bench process, got " + (long) groups * onlineMembers() + "; lower --online");
        }
        if (senders < 1 || senders > onlineMembers()) {
            throw new IllegalArgumentException("--senders must be 1..online members (" + onlineMembers() + "), got "
                    + senders);
        }
        if (!(rate > 0) || rate > 1_000_000) {
            throw new IllegalArgumentException("--rate must be > 0 and <= 1000000 msgs/s, got " + rate);
        }
        if (!receiverMode.equals("lean") && !receiverMode.equals("sdk")) {
            throw new IllegalArgumentException("--receivers must be lean or sdk, got '" + receiverMode + "'");
        }
        if (lean() && common.transport != io.magpie.client.Transport.TCP) {
            throw new IllegalArgumentException("--receivers lean speaks TCP only; use --receivers sdk with --transport "
                    + common.transport);
        }
        if (lean() && reading.read) {
            throw new IllegalArgumentException("--read needs SDK receivers (they send the READs); use --receivers sdk");
        }
        if (receiverProcesses < 1 || receiverProcesses > 16) {
            throw new IllegalArgumentException("--receiver-processes must be 1..16, got " + receiverProcesses);
        }
        if (receiverThreads() < 1 || receiverThreads() > 64) {
            throw new IllegalArgumentException("--receiver-threads must be 1..64, got " + receiverThreads());
        }
        if (!receiverHeap.matches("\\d+[mMgG]")) {
            throw new IllegalArgumentException("--receiver-heap must look like 256m or 1g, got " + receiverHeap);
        }
        if (maxOutstanding < 10 || maxOutstanding > 10_000_000) {
            throw new IllegalArgumentException("--max-outstanding must be 10..10000000, got " + maxOutstanding);
        }
    }

    private int onlineMembers() {
        return online == null ? members : online;
    }

    private boolean lean() {
        return "lean".equals(receiverMode);
    }

    @Override
    protected List<RunReport> run() throws Exception {
        int receivers = onlineMembers() - 1;
        MachineInfo machine = MachineInfo.detect();
        Instant started = clock.instant();
        out.printf("group-fanout: %d group(s) x %d members (%d online), %s msgs/s (%s deliveries/s offered),"
                        + " warmup %s, measure %s%s (run %s)%n", groups, members, onlineMembers(), Numbers.whole(rate),
                Numbers.whole(rate * receivers), DurationConverter.format(timing.warmup),
                DurationConverter.format(timing.duration), reading.describe(), common.runId());
        List<BenchUsers.User> users = new BenchUsers(common.accountClient(), common.runId(), common.setupParallelism,
                common.setupTimeout, out).create(groups * members);
        GroupApi api = new GroupApi(common.server.accountUrl, common.httpClient(), common.requestTimeout);
        List<Long> groupIds = BoundedAsync.run("creating " + groups + " groups", groups,
                Math.min(groups, common.setupParallelism), common.setupTimeout, g -> {
                    List<Long> others = new ArrayList<>();
                    for (int m = 1; m < Math.min(members, CREATE_BATCH + 1); m++) {
                        others.add(users.get(g * members + m).uid());
                    }
                    return api.create(users.get(g * members).credentials().token(),
                            "bench-" + common.runId() + "-" + g, others);
                }, null);
        out.printf("  created groups %s%n", groupIds.size() <= 10 ? groupIds : groupIds.size() + " groups");
        MessageRun run = new MessageRun(new MessageTracker(null), reading.tracker(), timing.payload(), out);
        // with lean receivers only the senders are SDK clients here; the rest of the online members log in elsewhere
        int sdkPerGroup = lean() ? senders : onlineMembers();
        WallClock wallClock = WallClock.now();
        List<ReceiverProcess> receiverProcs = new ArrayList<>();
        try (ClientFleet fleet = new ClientFleet(common.clientConfig().build(), common.clientThreads())) {
            List<BenchUsers.User> connecting = new ArrayList<>();
            List<String> leanTokens = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                connecting.addAll(users.subList(g * members, g * members + sdkPerGroup));
                for (int m = sdkPerGroup; m < onlineMembers(); m++) {
                    leanTokens.add(users.get(g * members + m).credentials().token());
                }
            }
            List<MagpieClient> clients = fleet.connect(connecting, (u, c) -> run.recipient(c),
                    common.setupParallelism, common.setupTimeout, out);
            if (lean()) {
                run.stampTexts(wallClock);
                startReceivers(leanTokens, run.tracker(), wallClock, receiverProcs);
            }
            inviteTheRest(users, groupIds, clients, sdkPerGroup);
            double seconds = (timing.warmup.toMillis() + timing.duration.toMillis()) / 1000.0;
            long start = System.nanoTime() + 50_000_000L;
            PacingSchedule schedule = PacingSchedule.forDuration(start, rate, seconds);
            OpenLoop.Outcome outcome;
            try (Ticker ticker = new Ticker(() -> run.tick(timing.deliveryTimeout, "deliveries/s"))) {
                outcome = OpenLoop.drive(schedule, start + timing.warmup.toNanos(),
                        () -> run.startWindow(common.serverPid, common.hopProbe()), i -> {
                            int g = (int) (i % groups);
                            int s = (int) ((i / groups) % senders);
                            int sender = g * sdkPerGroup + s;
                            run.send(clients.get(sender), sender, i, schedule.intendedNanos(i), ConversationType.GROUP,
                                    groupIds.get(g), receivers);
                        }, run.tracker()::tracked, maxOutstanding);
                run.endWindow();
                run.drain(timing.drain);
            }
            // the last deltas come with each process's END line
            receiverProcs.forEach(ReceiverProcess::stop);
            if (outcome.aborted()) {
                out.printf("   stopped early: more than %d messages not fully delivered after %d sends%n",
                        maxOutstanding, outcome.issued());
            }
            return List.of(report(run, outcome, machine, started, receiverProcs));
        } finally {
            receiverProcs.forEach(ReceiverProcess::stop);
        }
    }

    /**
     * Starts the lean receiver processes, each with its share of {@code tokens}, wires their deliveries into
     * {@code tracker}, and waits until every connection is logged in.
     *
     * @throws IllegalStateException when a receiver could not log in or a process ended early
     */
    private void startReceivers(List<String> tokens, MessageTracker tracker, WallClock wallClock,
                                List<ReceiverProcess> procs) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ReceiverProcess.Sink sink = new ReceiverProcess.Sink() {
            @Override
            public void deliveries(List<DeliveryDeltas.Entry> entries) {
                for (DeliveryDeltas.Entry e : entries) {
                    tracker.onDeliveries(e.key(), e.count(), wallClock.toNanos(e.lastArrivalMicros()));
                }
            }

            @Override
            public void latency(Histogram micros) {
                tracker.deliveryLatency().add(micros);
            }
        };
        InetSocketAddress gate = gateAddress();
        int n = Math.min(receiverProcesses, tokens.size());
        int share = (tokens.size() + n - 1) / n;
        for (int p = 0; p < n; p++) {
            List<String> slice = tokens.subList(Math.min(tokens.size(), p * share), Math.min(tokens.size(), (p + 1) * share));
            procs.add(ReceiverProcess.start(p, n, slice, gate, Math.max(1, common.setupParallelism / n),
                    common.requestTimeout, common.setupTimeout, receiverHeap, receiverThreads(), sink));
        }
        long deadline = t0 + common.setupTimeout.toNanos() + TimeUnit.SECONDS.toNanos(30);
        while (procs.stream().anyMatch(w -> w.report() == null) && System.nanoTime() < deadline) {
            if (procs.stream().anyMatch(w -> w.report() == null && !w.alive())) {
                throw new IllegalStateException("a lean receiver process ended before its receivers were logged in"
                        + " (its errors are above)");
            }
            Thread.sleep(50);
        }
        long connected = 0;
        for (ReceiverProcess w : procs) {
            WorkerReport r = w.report();
            if (r == null) {
                throw new IllegalStateException("lean receivers not logged in within --setup-timeout "
                        + DurationConverter.format(common.setupTimeout));
            }
            if (r.result().failed() > 0) {
                throw new IllegalStateException(r.result().failed() + " lean receivers could not log in to " + gate
                        + "; first error: " + r.result().firstError());
            }
            connected += r.result().connected();
        }
        out.printf("  %d lean receivers logged in to %s from %d process(es) in %.1f s%n", connected, gate, procs.size(),
                (System.nanoTime() - t0) / 1e9);
    }

    private InetSocketAddress gateAddress() {
        GateAddress g = new LsbClient(common.server.lsbUrl, null, null, common.httpClient(), common.requestTimeout).pickGate();
        return new InetSocketAddress(g.host(), g.tcpPort());
    }

    /** The owner of each group larger than {@link #CREATE_BATCH} + 1 invites the members not named at creation. */
    private void inviteTheRest(List<BenchUsers.User> users, List<Long> groupIds, List<MagpieClient> clients,
                               int sdkPerGroup) throws Exception {
        if (members <= CREATE_BATCH + 1) {
            return;
        }
        long began = System.nanoTime();
        BoundedAsync.run("inviting " + (members - CREATE_BATCH - 1) + " more members into each of " + groups
                + " groups", groups, Math.min(groups, common.setupParallelism), common.setupTimeout, g -> {
                    List<Long> rest = new ArrayList<>();
                    for (int m = CREATE_BATCH + 1; m < members; m++) {
                        rest.add(users.get(g * members + m).uid());
                    }
                    return clients.get(g * sdkPerGroup).groups().inviteAll(groupIds.get(g), rest);
                }, null);
        out.printf("  invited %d members per group in batches of %d (%d ms)%n", members - CREATE_BATCH - 1,
                CREATE_BATCH, (System.nanoTime() - began) / 1_000_000);
    }

    private RunReport report(MessageRun run, OpenLoop.Outcome outcome, MachineInfo machine, Instant started,
                             List<ReceiverProcess> receiverProcs) {
        MessageTracker t = run.tracker();
        RunReport.Builder r = report("group-fanout", started, machine)
                .param("groups", groups).param("members", members).param("online", onlineMembers()).param("rate", Numbers.whole(rate))
                .param("senders", senders).param("duration", timing.duration.toSeconds() + "s")
                .param("warmup", timing.warmup.toSeconds() + "s").param("payload_bytes", timing.payloadBytes)
                .param("read_every", reading.param()).param("receivers", receiverMode);
        if (lean()) {
            r.param("receiver_processes", receiverProcs.size()).param("receiver_threads", receiverThreads());
        }
        Histogram last = t.lastDeliveryLatency().total();
        Histogram every = t.deliveryLatency().total();
        double window = run.windowSeconds();
        run.fill(r, last, "send -> delivered to the LAST online member, from the intended send time",
                window > 0 ? t.deliveriesInWindow() / window : 0, "deliveries/s");
        r.result("offered", Numbers.whole(rate) + " msgs/s = " + Numbers.whole(rate * (onlineMembers() - 1))
                        + " deliveries/s")
                .result("group messages fully delivered in the window / s",
                        Numbers.whole(window > 0 ? t.completedInWindow() / window : 0))
                .result("every delivery p50 / p99 / max (ms)", MessageRun.triple(t.deliveryLatency()))
                .result("generator", outcome.aborted() ? "stopped early: server fell behind" : "kept the schedule");
        cpuPerDelivery(r, run.cpuUsage(), t.deliveriesInWindow());
        if (lean()) {
            long sum = 0;
            for (String counter : List.of("pushes", "other", "malformed", "closed", "unexpected_frames")) {
                long n = receiverProcs.stream().mapToLong(w -> w.endCounter(counter)).sum();
                r.result("lean receivers: " + counter.replace('_', ' '), Long.toString(n));
                if (!counter.equals("pushes") && !counter.equals("other")) {
                    sum += n;
                }
            }
            r.note("Lean receivers: " + (onlineMembers() - senders) + " of each group's online members were bare protocol"
                    + " connections in " + receiverProcs.size() + " worker JVM(s) (LOGIN with the account API's token,"
                    + " PUSH -> PUSH_ACK, PING on the heartbeat; only conversation id, seq, client_msg_id and the text's"
                    + " send stamp are read). Their latency is arrival - the send stamp in the message text, both on this"
                    + " host's wall clock; deliveries reach this process in deltas every 20 ms.");
            if (sum > 0) {
                r.note("Some lean receivers were closed by the gate or got PUSHes they could not read (counters above):"
                        + " their missing deliveries are in the lost messages.");
            }
        }
        r.plot("to the last member", last).plot("every delivery", every);
        return r.build();
    }

    /**
     * Server CPU per delivery in the measured window (server JVM plus its children, the embedded MariaDB and
     * redis-server), the bench's own CPU (this JVM plus receiver processes), and the same as summary fields.
     */
    private void cpuPerDelivery(RunReport.Builder r, CpuWindow.Usage u, long deliveriesInWindow) {
        boolean server = common.serverPid > 0 && u.seconds() > 0;
        double usPerDelivery = server && deliveriesInWindow > 0 ? u.serverCpuSeconds() * 1e6 / deliveriesInWindow : 0;
        double jvmUsPerDelivery = server && deliveriesInWindow > 0 ? u.serverJvmCpuSeconds() * 1e6 / deliveriesInWindow : 0;
        double benchCores = u.seconds() > 0 ? u.benchCpuSeconds() / u.seconds() : 0;
        if (server) {
            r.result("server CPU per delivery (server JVM + children, measured window)", String.format(Locale.ROOT,
                    "%.2f us (server JVM alone %.2f us; %.2f cores in all)", usPerDelivery, jvmUsPerDelivery,
                    u.serverCpuSeconds() / u.seconds()));
        }
        r.result("bench CPU (this JVM + lean receiver processes, measured window)",
                String.format(Locale.ROOT, "%.0f%% of one core", benchCores * 100));
        r.summaryField("server_cpu_cores", server ? String.format(Locale.ROOT, "%.2f", u.serverCpuSeconds() / u.seconds()) : "-")
                .summaryField("server_cpu_us_per_delivery", server ? String.format(Locale.ROOT, "%.2f", usPerDelivery) : "-")
                .summaryField("bench_cpu_cores", String.format(Locale.ROOT, "%.2f", benchCores));
    }

    /** The option, else the cores shared out among the receiver processes (1..64 each). */
    private int receiverThreads() {
        if (receiverThreads != null) {
            return receiverThreads;
        }
        return Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors() / receiverProcesses));
    }
}
